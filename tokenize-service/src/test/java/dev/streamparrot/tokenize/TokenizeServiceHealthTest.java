package dev.streamparrot.tokenize;

import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.testkit.ServiceShellCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

/** The service starts against the real broker and registry, reports healthy, and exports Prometheus metrics. */
@ExtendWith(RealCluster.class)
class TokenizeServiceHealthTest {
    @Test
    void healthyAgainstTheRealClusterAndExportsMetrics() throws Exception {
        ServiceShellCheck.assertServiceShell(Map.of());
    }
}
