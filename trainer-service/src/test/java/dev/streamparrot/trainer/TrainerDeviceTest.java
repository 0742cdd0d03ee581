package dev.streamparrot.trainer;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.testkit.ServiceShellCheck;
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
        ServiceShellCheck.assertGpuSettingStopsTheStart("streamparrot.trainer.device", Map.of());
    }

    private static TrainingJob job(String device) {
        TrainerSettings settings = TrainerSettings.from(new KafkaSettings("127.0.0.1:9", "http://127.0.0.1:9"), Path.of("unused"),
                key -> key.equals("device") ? Optional.of(device) : Optional.empty());
        return new TrainingJob(settings, System.out, java.util.List.of());
    }
}
