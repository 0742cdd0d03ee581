package dev.streamparrot.inference.service;

import dev.streamparrot.model.TfEventsWriter;
import dev.streamparrot.schemas.CheckpointEvaluation;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Each checkpoint evaluation as TensorBoard scalars at its step, one TensorBoard run per training run
 * ({@code <dir>/<run id>}): {@code loss/eval} and {@code perplexity} as the trainer names them, and
 * {@code humaneval/pass@1} with {@code humaneval/problems_scored}. {@code tensorboard --logdir .local} shows
 * them beside the trainer's own.
 */
public final class EvaluationLog implements Consumer<CheckpointEvaluation>, AutoCloseable {
    private final Path dir;
    private final Map<String, TfEventsWriter> runs = new HashMap<>();

    public EvaluationLog(Path dir) {
        this.dir = dir;
    }

    @Override
    public synchronized void accept(CheckpointEvaluation e) {
        Map<String, Double> scalars = new LinkedHashMap<>();
        if (e.getEvalLoss() != null) scalars.put("loss/eval", e.getEvalLoss());
        if (e.getPerplexity() != null) scalars.put("perplexity", e.getPerplexity());
        if (e.getHumanEvalPassAt1() != null) scalars.put("humaneval/pass@1", e.getHumanEvalPassAt1());
        scalars.put("humaneval/problems_scored", (double) e.getHumanEvalScored());
        runs.computeIfAbsent(e.getRunId(), run -> new TfEventsWriter(dir.resolve(run))).scalars(e.getStep(), scalars);
    }

    @Override
    public synchronized void close() {
        runs.values().forEach(TfEventsWriter::close);
    }
}
