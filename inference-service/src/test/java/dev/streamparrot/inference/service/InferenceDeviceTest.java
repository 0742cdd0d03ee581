package dev.streamparrot.inference.service;

import ai.djl.engine.Engine;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The inference service's device setting: gpu where the engine sees none stops the start with the reason. */
class InferenceDeviceTest {
    @Test
    void gpuWithoutOneStopsTheServiceAtStart() {
        assumeTrue(Engine.getEngine("PyTorch").getGpuCount() == 0, "this machine has a GPU");
        Map<String, Object> config = Map.of(
                "micronaut.server.port", -1,
                "streamparrot.inference.device", "gpu",
                "streamparrot.inference.follow-checkpoints", false,
                "streamparrot.kafka.bootstrap-servers", "127.0.0.1:9",
                "streamparrot.schema-registry.url", "http://127.0.0.1:9");
        Throwable e = assertThrows(RuntimeException.class, () -> ApplicationContext.run(EmbeddedServer.class, config).close());
        StringBuilder causes = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) causes.append(t.getMessage()).append('\n');
        assertTrue(causes.toString().contains("device is gpu, but PyTorch") && causes.toString().contains("sees 0 GPUs"),
                causes.toString());
    }
}
