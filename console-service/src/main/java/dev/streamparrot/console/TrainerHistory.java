package dev.streamparrot.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.annotation.Value;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The trainer keeps no history of its figures, only the latest ({@code GET /trainer/status}); the console
 * samples that and keeps the last snapshots in a bounded ring, for the loss curve over steps. A snapshot
 * equal in step and state to the previous one is not kept again. The history starts when the console does.
 */
@Singleton
final class TrainerHistory {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI status;
    private final int capacity;
    private final ArrayDeque<Map<String, Object>> ring = new ArrayDeque<>();
    private volatile String lastError;

    TrainerHistory(ServiceUrls urls, @Value("${streamparrot.console.trainer-history-size:2000}") int capacity) {
        this.status = urls.trainer.resolve("/trainer/status");
        this.capacity = capacity;
    }

    @Scheduled(fixedDelay = "${streamparrot.console.trainer-sample-interval:5s}", initialDelay = "1s")
    void sample() {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(status).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                lastError = "GET " + status + ": HTTP " + response.statusCode();
                return;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> snapshot = new LinkedHashMap<>(JSON.readValue(response.body(), Map.class));
            snapshot.put("sampledAt", Instant.now().toString());
            add(snapshot);
            lastError = null;
        } catch (java.io.IOException e) {
            lastError = "GET " + status + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    synchronized void add(Map<String, Object> snapshot) {
        Map<String, Object> previous = ring.peekLast();
        if (previous != null && Objects.equals(previous.get("step"), snapshot.get("step"))
                && Objects.equals(previous.get("state"), snapshot.get("state"))) {
            ring.pollLast(); // same point: keep the newest figures (tokens/s, say) but not twice
        }
        ring.addLast(snapshot);
        while (ring.size() > capacity) ring.pollFirst();
    }

    synchronized List<Map<String, Object>> snapshots() {
        return new ArrayList<>(ring);
    }

    /** Why the last sample failed (the trainer is down, say), or null. */
    String lastError() {
        return lastError;
    }
}
