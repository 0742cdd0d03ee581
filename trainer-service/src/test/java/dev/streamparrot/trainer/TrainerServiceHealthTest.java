package dev.streamparrot.trainer;

import dev.streamparrot.kafka.Breakers;
import dev.streamparrot.testkit.RealCluster;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service starts against the real broker and registry, reports healthy (DOWN with the reason while a
 * reader's breaker is open), and exports Prometheus metrics.
 */
@ExtendWith(RealCluster.class)
class TrainerServiceHealthTest {
    @Test
    void healthyAgainstTheRealClusterAndExportsMetrics() throws Exception {
        Map<String, Object> config = Map.of(
                "micronaut.server.port", -1,
                "streamparrot.trainer.enabled", false,
                "streamparrot.kafka.bootstrap-servers", RealCluster.bootstrapServers(),
                "streamparrot.schema-registry.url", RealCluster.registryUrl());
        try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, config)) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(server.getURL() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());
            assertTrue(health.body().contains("\"status\":\"UP\""), health.body());
            assertTrue(health.body().contains(RealCluster.bootstrapServers()), health.body());

            // A reader paused by a schema registry outage makes the service DOWN, with the reason, until it closes.
            String breaker = "trainer-service reading chunks-train";
            Breakers.trip(breaker, "registry forgot schema id 7", null);
            try {
                HttpResponse<String> down = http.send(HttpRequest.newBuilder(URI.create(server.getURL() + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(503, down.statusCode(), down.body());
                assertTrue(down.body().contains("\"status\":\"DOWN\""), down.body());
                assertTrue(down.body().contains(breaker) && down.body().contains("registry forgot schema id 7"), down.body());
            } finally {
                Breakers.close(breaker);
            }
            HttpResponse<String> up = http.send(HttpRequest.newBuilder(URI.create(server.getURL() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, up.statusCode(), up.body());

            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(server.getURL() + "/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("jvm_memory_used_bytes"), metrics.body());
        }
    }
}
