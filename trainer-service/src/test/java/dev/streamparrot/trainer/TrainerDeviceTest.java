package dev.streamparrot.trainer;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.streamparrot.kafka.KafkaSettings;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The trainer's device setting: cpu and auto resolve on this machine's engine; gpu where the engine sees none stops
 * the service at start, with the reason, before any training (no broker is needed to get that far).
 */
class TrainerDeviceTest {
    @Test
    void cpuAndAutoResolveOnThisMachine() {
        assertEquals(Device.cpu(), job("cpu").device());
        assertEquals(Engine.getEngine("PyTorch").defaultDevice(), job("auto").device());
        assertEquals(Engine.getEngine("PyTorch").defaultDevice(), job("").device(), "auto is the default");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> job("tpu"));
        assertTrue(e.getMessage().contains("auto, cpu or gpu"), e.getMessage());
    }

    @Test
    void gpuWithoutOneStopsTheServiceAtStart() {
        assumeTrue(Engine.getEngine("PyTorch").getGpuCount() == 0, "this machine has a GPU");
        Map<String, Object> config = Map.of(
                "micronaut.server.port", -1,
                "streamparrot.trainer.device", "gpu",
                "streamparrot.kafka.bootstrap-servers", "127.0.0.1:9", // never reached: the start fails first
                "streamparrot.schema-registry.url", "http://127.0.0.1:9");
        Throwable e = assertThrows(RuntimeException.class, () -> ApplicationContext.run(EmbeddedServer.class, config).close());
        StringBuilder causes = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) causes.append(t.getMessage()).append('\n');
        assertTrue(causes.toString().contains("device is gpu, but PyTorch") && causes.toString().contains("sees 0 GPUs"),
                causes.toString());
    }

    private static TrainingJob job(String device) {
        TrainerSettings settings = TrainerSettings.from(new KafkaSettings("127.0.0.1:9", "http://127.0.0.1:9"), Path.of("unused"),
                key -> key.equals("device") ? Optional.of(device) : Optional.empty());
        return new TrainingJob(settings, System.out, java.util.List.of());
    }
}
