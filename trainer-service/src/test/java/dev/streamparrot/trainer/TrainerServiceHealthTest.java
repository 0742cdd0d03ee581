package dev.streamparrot.trainer;

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

/** The service starts against the real broker and registry, reports healthy, and exports Prometheus metrics. */
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
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(server.getURL() + "/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("jvm_memory_used_bytes"), metrics.body());
        }
    }
}
