package dev.streamparrot.inference.service;

import ai.djl.engine.Engine;
import dev.streamparrot.testkit.ServiceShellCheck;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The inference service's device setting: gpu where the engine sees none stops the start with the reason. */
class InferenceDeviceTest {
    @Test
    void gpuWithoutOneStopsTheServiceAtStart() {
        assumeTrue(Engine.getEngine("PyTorch").getGpuCount() == 0, "this machine has a GPU");
        ServiceShellCheck.assertGpuSettingStopsTheStart("streamparrot.inference.device",
                Map.of("streamparrot.inference.follow-checkpoints", false));
    }
}
