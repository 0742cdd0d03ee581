package dev.streamparrot.inference;

import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.testkit.ServiceShellCheck;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

/** The service starts against the real broker and registry, reports healthy, and exports Prometheus metrics. */
@ExtendWith(RealCluster.class)
class InferenceServiceHealthTest {
    @Test
    void healthyAgainstTheRealClusterAndExportsMetrics() throws Exception {
        Map<String, Object> config = Map.of(
                "micronaut.server.port", -1,
                "streamparrot.kafka.bootstrap-servers", RealCluster.bootstrapServers(),
                "streamparrot.schema-registry.url", RealCluster.registryUrl());
        try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, config)) {
            ServiceShellCheck.assertHealthyAndExportsMetrics(server.getURL().toString());
        }
    }
}
