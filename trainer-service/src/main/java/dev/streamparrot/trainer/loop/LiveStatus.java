package dev.streamparrot.trainer.loop;

import dev.streamparrot.model.TrainStep;
import dev.streamparrot.schemas.CheckpointAnnouncement;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** The latest figures of a run, readable from any thread (the status endpoint and the metrics gauges). */
public final class LiveStatus implements TrainingListener {
    /**
     * @param state          what the trainer does now (starting, waiting for chunks, training, evaluating, finished, failed: …)
     * @param lastCheckpoint URI of the last checkpoint, or null
     */
    public record Snapshot(String state, long step, double loss, double lr, double tokensPerSecond, long samples,
                           double evalLoss, double perplexity, String lastCheckpoint) {}

    private final AtomicReference<Snapshot> current =
            new AtomicReference<>(new Snapshot("starting", 0, Double.NaN, Double.NaN, 0, 0, Double.NaN, Double.NaN, null));
    private final long samplesPerUpdate;

    public LiveStatus(long samplesPerUpdate) {
        this.samplesPerUpdate = samplesPerUpdate;
    }

    public Snapshot snapshot() {
        return current.get();
    }

    @Override
    public void updated(TrainStep.Result r, double tokensPerSecond) {
        current.updateAndGet(s -> new Snapshot("training", r.step(), r.loss(), r.lr(), tokensPerSecond,
                r.step() * samplesPerUpdate, s.evalLoss(), s.perplexity(), s.lastCheckpoint()));
    }

    @Override
    public void scalars(long step, Map<String, Double> values) {
        if (values.containsKey("loss/eval")) {
            current.updateAndGet(s -> new Snapshot(s.state(), s.step(), s.loss(), s.lr(), s.tokensPerSecond(), s.samples(),
                    values.get("loss/eval"), values.get("perplexity"), s.lastCheckpoint()));
        }
    }

    @Override
    public void checkpointed(CheckpointAnnouncement a) {
        current.updateAndGet(s -> new Snapshot(s.state(), s.step(), s.loss(), s.lr(), s.tokensPerSecond(), s.samples(),
                s.evalLoss(), s.perplexity(), a.getLocation()));
    }

    @Override
    public void state(String state, long step) {
        current.updateAndGet(s -> new Snapshot(state, step, s.loss(), s.lr(), s.tokensPerSecond(),
                step * samplesPerUpdate, s.evalLoss(), s.perplexity(), s.lastCheckpoint()));
    }
}
