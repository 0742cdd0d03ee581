package dev.streamparrot.console;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import jakarta.inject.Singleton;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Forwards one request of the page to a service, so the page talks to one origin only (no CORS in the
 * services). The Authorization header goes along, so API keys work; Server-Sent Events are passed on
 * event by event as they arrive, and when the page closes its stream the upstream connection is closed
 * too, which stops the generation there.
 */
@Singleton
final class ServiceProxy {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    HttpResponse<?> forward(URI service, String method, String pathAndQuery, @Nullable String authorization,
                            @Nullable String contentType, @Nullable String body) {
        URI target = service.resolve(pathAndQuery);
        HttpRequest.Builder request = HttpRequest.newBuilder(target)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) request.header(HttpHeaders.AUTHORIZATION, authorization);
        if (contentType != null) request.header(HttpHeaders.CONTENT_TYPE, contentType);
        java.net.http.HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            return unreachable(target, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unreachable(target, e);
        }
        String type = response.headers().firstValue(HttpHeaders.CONTENT_TYPE).orElse(MediaType.APPLICATION_JSON);
        HttpStatus status = HttpStatus.valueOf(response.statusCode());
        if (type.startsWith(MediaType.TEXT_EVENT_STREAM)) {
            return HttpResponse.status(status).contentType(MediaType.TEXT_EVENT_STREAM_TYPE).body(events(response.body()));
        }
        try (InputStream in = response.body()) {
            return HttpResponse.status(status).contentType(type).body(in.readAllBytes());
        } catch (IOException e) {
            return unreachable(target, e);
        }
    }

    /** Each event ({@code data: ...} lines up to a blank line) as one string, sent on as soon as it is complete. */
    static Flux<String> events(InputStream in) {
        return Flux.<String>create(sink -> {
            sink.onDispose(() -> closeQuietly(in)); // the page went away: close upstream, the service stops generating
            Schedulers.boundedElastic().schedule(() -> {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    StringBuilder event = new StringBuilder();
                    for (String line = reader.readLine(); line != null && !sink.isCancelled(); line = reader.readLine()) {
                        event.append(line).append('\n');
                        if (line.isEmpty()) {
                            sink.next(event.toString());
                            event.setLength(0);
                        }
                    }
                    if (!event.isEmpty()) sink.next(event.append('\n').toString());
                    sink.complete();
                } catch (IOException e) {
                    sink.complete(); // closed by the page's cancel, or the service went away mid-stream
                }
            });
        });
    }

    /** The service is down: a 502 with an OpenAI-style error body, which the page shows as it shows any error. */
    static HttpResponse<?> unreachable(URI target, Exception e) {
        String message = target + " is unreachable: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return HttpResponse.status(HttpStatus.BAD_GATEWAY)
                .body(Map.of("error", Map.of("message", message, "type", "upstream_unreachable")));
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
    }
}
