package dev.streamparrot.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

import java.util.List;

/**
 * One optimizer update of the book's training loop: for each micro-batch forward, loss, backward of
 * loss / accumulation steps; then clip the global gradient norm, AdamW with the scheduled learning rate,
 * zero the gradients.
 *
 * <p>Dropout masks come from libtorch's global generator, reseeded before every micro-batch from
 * (seed, update number, micro-batch index). A run resumed from a checkpoint therefore draws the same masks
 * as an uninterrupted one without saving any generator state: the update number is in the optimizer state.
 */
public final class TrainStep {
    /** What one update did: its number (1-based after the update), mean micro-batch loss, pre-clip norm, lr. */
    public record Result(long step, double loss, double gradNorm, double lr) {}

    private final Gpt model;
    private final AdamW optimizer;
    private final LrSchedule schedule;
    private final double maxGradNorm;
    private final long seed;

    public TrainStep(Gpt model, AdamW optimizer, LrSchedule schedule, double maxGradNorm, long seed) {
        this.model = model;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.maxGradNorm = maxGradNorm;
        this.seed = seed;
    }

    /** Book defaults: clip at 1.0. */
    public TrainStep(Gpt model, AdamW optimizer, LrSchedule schedule, long seed) {
        this(model, optimizer, schedule, 1.0, seed);
    }

    /**
     * Runs one update over the given micro-batches (each rows × seq_len token ids; their number is the
     * gradient accumulation count).
     */
    public Result run(List<int[][]> microBatches) {
        return run(microBatches, optimizer.step());
    }

    /**
     * As {@link #run(List)}, at a given position of the schedule: {@code update} chooses the learning rate and the
     * dropout masks. A trainer group's member runs its inner steps at the group's position, while its optimizer's
     * own step count (bias correction) is its own.
     */
    public Result run(List<int[][]> microBatches, long update) {
        if (microBatches.isEmpty()) {
            throw new IllegalArgumentException("no micro-batches");
        }
        double lossSum = 0;
        try (NDManager step = NDManager.newBaseManager(model.device(), "PyTorch");
             GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray inv = Gpt.scalar(step, 1.0 / microBatches.size());
            for (int k = 0; k < microBatches.size(); k++) {
                // a manager per micro-batch: its activations are freed before the next one runs
                try (NDManager micro = step.newSubManager()) {
                    JniUtils.setSeed(dropoutSeed(update, k));
                    NDArray loss = model.loss(Gpt.ids(micro, microBatches.get(k)), true);
                    lossSum += loss.getFloat();
                    gc.backward(loss.mul(inv));
                }
            }
        }
        double norm = optimizer.clipGradNorm(maxGradNorm);
        double lr = schedule.lr(update);
        optimizer.update(lr);
        return new Result(update + 1, lossSum / microBatches.size(), norm, lr);
    }

    private long dropoutSeed(long update, int micro) {
        long h = seed * 0x9E3779B97F4A7C15L + update * 0xBF58476D1CE4E5B9L + micro * 0x94D049BB133111EBL;
        return (h ^ (h >>> 31)) & Long.MAX_VALUE;
    }
}
