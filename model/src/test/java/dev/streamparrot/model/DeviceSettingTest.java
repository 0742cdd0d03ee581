package dev.streamparrot.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The device setting: its three values on engines with and without a GPU, the real engine of this machine, and a
 * model, its optimizer and a training step all on the resolved device.
 */
class DeviceSettingTest {
    private static final String NO_GPU = "PyTorch 2.7.1 (DJL 0.36.0) sees 0 GPUs, default device cpu()";

    @Test
    void parsesTheThreeValuesAndNamesThemOtherwise() {
        assertEquals(DeviceSetting.AUTO, DeviceSetting.parse("auto"));
        assertEquals(DeviceSetting.CPU, DeviceSetting.parse("CPU"));
        assertEquals(DeviceSetting.GPU, DeviceSetting.parse(" gpu "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceSetting.parse("cuda"));
        assertTrue(e.getMessage().contains("auto, cpu or gpu") && e.getMessage().contains("cuda"), e.getMessage());
    }

    @Test
    void autoTakesTheEnginesChoiceCpuAlwaysTheCpuGpuOnlyAGpu() {
        assertEquals(Device.gpu(), DeviceSetting.AUTO.resolve(1, Device.gpu(), "1 GPU"));
        assertEquals(Device.cpu(), DeviceSetting.AUTO.resolve(0, Device.cpu(), NO_GPU));
        assertEquals(Device.cpu(), DeviceSetting.CPU.resolve(2, Device.gpu(), "2 GPUs"));
        assertEquals(Device.gpu(), DeviceSetting.GPU.resolve(1, Device.gpu(), "1 GPU"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DeviceSetting.GPU.resolve(0, Device.cpu(), NO_GPU));
        assertTrue(e.getMessage().contains(NO_GPU) && e.getMessage().contains("-Pcuda"), e.getMessage());
    }

    @Test
    void onThisMachinesEngine() {
        Engine engine = Engine.getEngine("PyTorch");
        String offer = DeviceSetting.offer(engine);
        assertTrue(offer.startsWith("PyTorch " + engine.getVersion()) && offer.contains(engine.getGpuCount() + " GPU"), offer);
        assertEquals(engine.defaultDevice(), DeviceSetting.AUTO.resolve());
        assertEquals(Device.cpu(), DeviceSetting.CPU.resolve());
        if (engine.getGpuCount() == 0) {
            IllegalStateException e = assertThrows(IllegalStateException.class, DeviceSetting.GPU::resolve);
            assertTrue(e.getMessage().contains("sees 0 GPUs"), e.getMessage());
        } else {
            assertEquals(Device.gpu(), DeviceSetting.GPU.resolve());
        }
    }

    @Test
    void modelOptimizerAndStepRunOnTheResolvedDevice(@org.junit.jupiter.api.io.TempDir Path dir) {
        Device device = DeviceSetting.CPU.resolve();
        GptConfig c = TestModels.tiny();
        try (Gpt g = Gpt.create(c, 3, device); AdamW opt = new AdamW(g.parameters(), AdamW.DEFAULTS)) {
            assertEquals(device, g.device());
            g.parameters().values().forEach(p -> assertEquals(device, p.getDevice()));
            double loss = new TrainStep(g, opt, LrSchedule.constant(1e-3), 1)
                    .run(List.<int[][]>of(TestModels.randomTokens(2, 2, 8, c.vocabSize()))).loss();
            assertTrue(Double.isFinite(loss), "loss " + loss);
            g.save(dir);
        }
        try (Gpt loaded = Gpt.load(dir, device)) {
            assertEquals(device, loaded.device());
        }
    }

    /**
     * The GPU smoke test: one forward/backward/AdamW update of codeparrot-small (1 × 1024) on the GPU. Runs only
     * where DJL's engine sees one (the CUDA libtorch: build with -Pcuda); skipped elsewhere.
     */
    @Test
    void codeparrotSmallTrainsOneStepOnAGpu() {
        assumeTrue(Engine.getEngine("PyTorch").getGpuCount() > 0, "no GPU: " + DeviceSetting.offer(Engine.getEngine("PyTorch")));
        GptConfig c = GptConfig.preset("codeparrot-small", 32768);
        try (Gpt g = Gpt.create(c, 1, DeviceSetting.GPU.resolve()); AdamW opt = new AdamW(g.parameters(), AdamW.DEFAULTS)) {
            assertTrue(g.device().isGpu(), g.device().toString());
            long t0 = System.nanoTime();
            TrainStep.Result r = new TrainStep(g, opt, LrSchedule.constant(1e-4), 1)
                    .run(List.<int[][]>of(TestModels.randomTokens(1, 1, 1024, c.vocabSize())));
            System.out.printf("GPU smoke: codeparrot-small 1 x 1024 on %s: loss %.3f, %.2f s%n", g.device(), r.loss(),
                    (System.nanoTime() - t0) / 1e9);
            assertTrue(Math.abs(r.loss() - Math.log(c.vocabSize())) < 1.0, "initial loss " + r.loss() + " vs ln V");
        }
    }
}
