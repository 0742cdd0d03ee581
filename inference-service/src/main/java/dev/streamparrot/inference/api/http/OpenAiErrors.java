package dev.streamparrot.inference.api.http;

import dev.streamparrot.inference.api.ApiException;
import dev.streamparrot.inference.api.ErrorBody;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a failed request becomes an answer: a refused request ({@link ApiException}) gets its
 * status, anything else a 500; both in OpenAI's error body. Micronaut's own, more specific handlers
 * (an unknown route, a bad content type) still answer what they know.
 */
@Singleton
@Produces
@Requires(classes = {Exception.class, ExceptionHandler.class})
final class OpenAiErrors implements ExceptionHandler<Exception, HttpResponse<ErrorBody>> {
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiErrors.class);

    @Override
    public HttpResponse<ErrorBody> handle(HttpRequest request, Exception exception) {
        if (exception instanceof ApiException refused) return response(refused);
        LOG.error("{} {} failed", request.getMethod(), request.getPath(), exception);
        return response(new ApiException(500, "server_error", "The server failed: " + exception.getMessage(), null, null));
    }

    static HttpResponse<ErrorBody> response(ApiException e) {
        return HttpResponse.<ErrorBody>status(HttpStatus.valueOf(e.status())).body(e.body())
                .contentType(MediaType.APPLICATION_JSON_TYPE);
    }
}
