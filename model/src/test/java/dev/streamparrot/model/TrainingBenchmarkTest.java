package dev.streamparrot.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Training throughput against the machine's own matmul speed, measured in the same JVM: model FLOP/s
 * utilisation (MFU) = achieved training FLOP/s (6·N·tokens + attention) / large fp32 matmul FLOP/s.
 *
 * <p>Run with model/native/bench.sh, which preloads the MKL shim and tcmalloc; without them libtorch's
 * matmul runs at less than half speed (the ratio stays meaningful, the absolute figures do not).
 * System properties: bench.threads (default: all cores), bench.steps (timed updates; default 3, codeparrot-small 2,
 * cpu-tiny 20), and for {@link #cpuTiny} the trainer profile it stands beside: bench.model (default cpu-tiny),
 * bench.batch (8), bench.seq (128), bench.vocab (32768).
 */
@Tag("benchmark")
class TrainingBenchmarkTest {
    /** Process CPU seconds and wall seconds of one measured piece of work. */
    private record Timing(double wall, double cpu) {}

    @BeforeAll
    static void threads() {
        int threads = Integer.getInteger("bench.threads", Runtime.getRuntime().availableProcessors());
        Engine.getEngine("PyTorch"); // loads libtorch; the surefire default of 1 thread is overridden next
        JniUtils.setNumThreads(threads);
        System.out.printf("threads=%d %s load average %s%n", threads, preloaded(), loadAverage());
    }

    @Test
    void cpuTiny() {
        // a small trainer profile (cpu-tiny: 8 x 128 per update by default); deploy/bench-trainer.sh sets the running
        // trainer's (the local cluster's cpu-tiny-512: 2 x 512) to measure the service against it
        String model = System.getProperty("bench.model", "cpu-tiny");
        run(model, GptConfig.preset(model, Integer.getInteger("bench.vocab", 32768)), Integer.getInteger("bench.batch", 8),
                Integer.getInteger("bench.seq", 128), Integer.getInteger("bench.steps", 20));
    }

    @Test
    void cpuSmall() {
        run("cpu-small", GptConfig.preset("cpu-small", 32768), 8, 256, Integer.getInteger("bench.steps", 3));
    }

    @Test
    void codeparrotSmall() {
        // one sequence of the book's full 1024 context per update (~4 GB of activations with dropout on)
        run("codeparrot-small", GptConfig.preset("codeparrot-small", 32768), 1, 1024, Integer.getInteger("bench.steps", 2));
    }

    /**
     * The anchor (a 2048² fp32 matmul) is measured right before and after the model so that both see the same
     * machine; on a shared machine the CPU-time ratio is the steadier one (wall time includes other
     * processes' turns on the cores).
     */
    private static void run(String name, GptConfig c, int batch, int seq, int steps) {
        double[] anchorBefore = matmul(2048, 2.0);
        List<int[][]> micro = List.<int[][]>of(TestModels.randomTokens(1, batch, seq, c.vocabSize()));
        Timing best = null;
        double wallSum = 0, cpuSum = 0;
        double loss = 0;
        try (Gpt g = Gpt.create(c, 1); AdamW opt = new AdamW(g.parameters(), AdamW.DEFAULTS)) {
            TrainStep step = new TrainStep(g, opt, LrSchedule.constant(1e-4), 1);
            step.run(micro); // warm-up: first-touch allocations, MKL kernel selection
            for (int i = 0; i < steps; i++) {
                long w0 = System.nanoTime(), c0 = cpuNanos();
                loss = step.run(micro).loss();
                Timing t = new Timing((System.nanoTime() - w0) / 1e9, (cpuNanos() - c0) / 1e9);
                best = best == null || t.wall() < best.wall() ? t : best;
                wallSum += t.wall();
                cpuSum += t.cpu();
            }
        }
        double[] anchorAfter = matmul(2048, 2.0);
        double anchorWall = (anchorBefore[0] + anchorAfter[0]) / 2, anchorCpu = (anchorBefore[1] + anchorAfter[1]) / 2;
        double tokens = (double) batch * seq;
        double flop = GptCost.trainFlopsPerToken(c, seq) * tokens;
        double gfWall = flop / best.wall() / 1e9, gfCpu = flop / best.cpu() / 1e9;
        System.out.printf("ANCHOR fp32 matmul 2048^2: %.1f GFLOP/s wall (before %.1f, after %.1f), %.1f GFLOP per CPU-second%n",
                anchorWall, anchorBefore[0], anchorAfter[0], anchorCpu);
        System.out.printf("RESULT %s (%.1fM params, dropout %.1f) batch %d x seq %d: %.2f s/update (%.2f CPU-s), %.0f tokens/s,"
                        + " %.1f GFLOP/s -> MFU %.0f%% (wall), %.1f GFLOP per CPU-s -> MFU %.0f%% (CPU time); loss %.3f;"
                        + " mean of %d updates %.0f tokens/s, %.0f tokens per CPU-s%n",
                name, GptCost.numParams(c) / 1e6, c.residPdrop(), batch, seq, best.wall(), best.cpu(), tokens / best.wall(),
                gfWall, 100 * gfWall / anchorWall, gfCpu, 100 * gfCpu / anchorCpu, loss,
                steps, tokens * steps / wallSum, tokens * steps / cpuSum);
    }

    /** {GFLOP/s wall, GFLOP per process CPU-second} of an n×n fp32 matmul repeated for about `seconds`. */
    static double[] matmul(int n, double seconds) {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray a = m.randomNormal(new Shape(n, n));
            NDArray b = m.randomNormal(new Shape(n, n));
            for (int i = 0; i < 2; i++) {
                a.matMul(b).close();
            }
            int iters = 0;
            long w0 = System.nanoTime(), c0 = cpuNanos();
            double el;
            do {
                a.matMul(b).close();
                iters++;
                el = (System.nanoTime() - w0) / 1e9;
            } while (el < seconds);
            double flop = 2.0 * n * n * (double) n * iters;
            return new double[] {flop / el / 1e9, flop / ((cpuNanos() - c0) / 1e9) / 1e9};
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static String preloaded() {
        try {
            String maps = Files.readString(Path.of("/proc/self/maps"));
            return "fakeintel=" + maps.contains("libfakeintel") + " tcmalloc=" + maps.contains("tcmalloc");
        } catch (Exception e) {
            return "unknown";
        }
    }
}
