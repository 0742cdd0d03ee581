package dev.streamparrot.inference.api.http;

import dev.streamparrot.inference.api.ApiException;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;

/** A refused request, from any endpoint, answers with its status and OpenAI's error body. */
@Controller
final class ApiErrors {
    @Error(global = true, exception = ApiException.class)
    HttpResponse<String> refused(ApiException e) {
        return response(e);
    }

    static HttpResponse<String> response(ApiException e) {
        return HttpResponse.<String>status(HttpStatus.valueOf(e.status())).body(e.toJson().toString())
                .contentType(MediaType.APPLICATION_JSON_TYPE);
    }
}
