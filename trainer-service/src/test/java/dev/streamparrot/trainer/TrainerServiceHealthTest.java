package dev.streamparrot.trainer;

import dev.streamparrot.kafka.Breakers;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.testkit.ServiceShellCheck;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

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
        try (EmbeddedServer server = ServiceShellCheck.startAgainstRealCluster(Map.of("streamparrot.trainer.enabled", false))) {
            ServiceShellCheck.assertHealthyAndExportsMetrics(server.getURL().toString());

            // A reader paused by a schema registry outage makes the service DOWN, with the reason, until it closes.
            String breaker = "trainer-service reading chunks-train";
            Breakers.trip(breaker, "registry forgot schema id 7", null);
            try {
                HttpResponse<String> down = ServiceShellCheck.get(server.getURL() + "/health");
                assertEquals(503, down.statusCode(), down.body());
                assertTrue(down.body().contains("\"status\":\"DOWN\""), down.body());
                assertTrue(down.body().contains(breaker) && down.body().contains("registry forgot schema id 7"), down.body());
            } finally {
                Breakers.close(breaker);
            }
            HttpResponse<String> up = ServiceShellCheck.get(server.getURL() + "/health");
            assertEquals(200, up.statusCode(), up.body());
        }
    }
}
