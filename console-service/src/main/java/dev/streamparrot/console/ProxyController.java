package dev.streamparrot.console;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.net.URI;

/** The other services' endpoints that the page uses, on the console's own origin and under the same paths. */
@Controller
@ExecuteOn(TaskExecutors.BLOCKING)
final class ProxyController {
    private final ServiceProxy proxy;
    private final ServiceUrls urls;

    ProxyController(ServiceProxy proxy, ServiceUrls urls) {
        this.proxy = proxy;
        this.urls = urls;
    }

    @Get(uri = "/repos", produces = MediaType.APPLICATION_JSON)
    HttpResponse<?> repos(HttpRequest<?> request) {
        return get(urls.ingest, request);
    }

    @Get(uri = "/repos/{id}", produces = MediaType.APPLICATION_JSON)
    HttpResponse<?> repo(HttpRequest<?> request, String id) {
        return get(urls.ingest, request);
    }

    @Post(uri = "/repos", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    HttpResponse<?> addRepo(HttpRequest<?> request, @Nullable @Body String body) {
        return post(urls.ingest, request, body);
    }

    @Get(uri = "/trainer/status", produces = MediaType.APPLICATION_JSON)
    HttpResponse<?> trainerStatus(HttpRequest<?> request) {
        return get(urls.trainer, request);
    }

    @Get(uri = "/v1/models", produces = MediaType.APPLICATION_JSON)
    HttpResponse<?> models(HttpRequest<?> request) {
        return get(urls.inference, request);
    }

    @Post(uri = "/v1/completions", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM})
    HttpResponse<?> completions(HttpRequest<?> request, @Nullable @Body String body) {
        return post(urls.inference, request, body);
    }

    private HttpResponse<?> get(URI service, HttpRequest<?> request) {
        return proxy.forward(service, "GET", pathAndQuery(request), authorization(request), null, null);
    }

    private HttpResponse<?> post(URI service, HttpRequest<?> request, @Nullable String body) {
        return proxy.forward(service, "POST", pathAndQuery(request), authorization(request),
                request.getHeaders().get(HttpHeaders.CONTENT_TYPE), body == null ? "" : body);
    }

    private static String pathAndQuery(HttpRequest<?> request) {
        String query = request.getUri().getRawQuery();
        return request.getUri().getRawPath() + (query == null ? "" : "?" + query);
    }

    @Nullable
    private static String authorization(HttpRequest<?> request) {
        return request.getHeaders().get(HttpHeaders.AUTHORIZATION);
    }
}
