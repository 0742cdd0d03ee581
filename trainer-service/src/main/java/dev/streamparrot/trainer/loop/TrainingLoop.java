package dev.streamparrot.trainer.loop;

import dev.streamparrot.artifacts.Manifest;
import dev.streamparrot.model.AdamW;
import dev.streamparrot.model.Checkpoint;
import dev.streamparrot.model.Gpt;
import dev.streamparrot.model.LrSchedule;
import dev.streamparrot.model.TrainStep;
import dev.streamparrot.model.generate.CheckpointSample;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.schemas.PartitionOffset;
import dev.streamparrot.trainer.checkpoint.CheckpointState;
import dev.streamparrot.trainer.data.DatasetState;
import dev.streamparrot.trainer.data.TrainingData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * One run's updates, evaluations and checkpoints, once {@link Trainer} has set up the model, the optimizer and
 * the data: the run's mutable state, so that {@link #run} reads top to bottom. Checkpoints of the wsd schedule
 * come from decay branches (see {@link Trainer}).
 */
final class TrainingLoop {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

    /** The tokenizer the run trains on: its id, the vocabulary, and its tokenizer.json for checkpoints (or null). */
    record Vocabulary(String tokenizerId, int size, Path tokenizerJson) {}

    /** Micro-batches drawn for one update, and the dataset's state right after them. */
    private record Drawn(List<int[][]> micro, DatasetState after) {}

    /** What a checkpoint announces: the weights trained on up to which data, and their evaluation. */
    private record Announced(long tokensTrained, Map<Integer, Long> frontier, Evaluation evaluation) {}

    private final Trainer.Run run;
    private final TrainingArgs args;
    private final Trainer.Io io;
    private final Listeners listeners;
    private final BooleanSupplier stopRequested;
    private final Validation validation;
    private final Gpt model;
    private final AdamW optimizer;
    private final LrSchedule schedule;
    private final TrainStep trainStep;
    private final TrainingData data;
    private final Vocabulary vocabulary;
    /** Batches a decay branch drew ahead of the main line, which trains on them next. */
    private final ArrayDeque<Drawn> ahead = new ArrayDeque<>();
    private DatasetState afterLastUpdate; // null until the first update of a fresh run
    private long step;
    private long lastSaved = -1, lastEvaluated = -1;
    private Evaluation lastEval, lastSavedEval;
    private Path lastCheckpoint;
    private boolean interrupted;
    private CheckpointSample sample; // made at the first checkpoint, when there is a tokenizer to write with

    TrainingLoop(Trainer.Run run, Trainer.Io io, Listeners listeners, BooleanSupplier stopRequested,
                 Gpt model, AdamW optimizer, LrSchedule schedule, TrainingData data, Vocabulary vocabulary,
                 CheckpointState resumed) {
        this.run = run;
        this.args = run.args();
        this.io = io;
        this.listeners = listeners;
        this.stopRequested = stopRequested;
        this.validation = new Validation(io.valid(), args);
        this.model = model;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.trainStep = new TrainStep(model, optimizer, schedule, args.seed());
        this.data = data;
        this.vocabulary = vocabulary;
        this.step = optimizer.step();
        if (resumed != null) {
            afterLastUpdate = resumed.data();
            lastSaved = lastEvaluated = resumed.step();
            if (resumed.evalLoss() != null) lastEval = new Evaluation(resumed.evalLoss(), resumed.perplexity(), 0);
        }
    }

    Trainer.Outcome run() throws InterruptedException {
        listeners.state(step == 0 ? "training" : "training (resumed at step " + step + ")", step);
        long intervalStart = System.nanoTime(), intervalUpdates = 0;
        double intervalLoss = 0;
        try {
            while ((args.endless() || step < args.maxTrainSteps()) && !stopRequested.getAsBoolean()) {
                long t0 = System.nanoTime();
                Drawn batches = ahead.isEmpty() ? draw() : ahead.remove();
                TrainStep.Result r = trainStep.run(batches.micro());
                afterLastUpdate = batches.after();
                step = r.step();
                listeners.updated(r, args.tokensPerUpdate() / ((System.nanoTime() - t0) / 1e9));
                intervalLoss += r.loss();
                intervalUpdates++;
                if (step % args.logInterval() == 0) {
                    double seconds = (System.nanoTime() - intervalStart) / 1e9;
                    Map<String, Double> s = new LinkedHashMap<>();
                    s.put("loss/train", intervalLoss / intervalUpdates);
                    s.put("lr", r.lr());
                    s.put("samples", (double) step * args.trainBatchSize() * args.gradientAccumulationSteps());
                    s.put("tokens/s", intervalUpdates * args.tokensPerUpdate() / seconds);
                    listeners.scalars(step, s);
                    intervalStart = System.nanoTime();
                    intervalUpdates = 0;
                    intervalLoss = 0;
                }
                if (step % args.evalInterval() == 0) evaluateNow();
                if (step % args.saveCheckpointSteps() == 0) save(decays() ? branchBatches() : null);
            }
        } catch (InterruptedException | org.apache.kafka.common.errors.InterruptException e) {
            // interrupted while waiting for chunks: keep what was trained since the last checkpoint, below
            interrupted = true;
            Thread.interrupted(); // file channels and Kafka clients refuse to work on an interrupted thread
        }
        if (step > lastSaved && step > 0) {
            List<Drawn> branchBatches = null;
            try {
                if (decays() && !interrupted) branchBatches = branchBatches();
            } catch (InterruptedException | org.apache.kafka.common.errors.InterruptException e) {
                // no chunks to decay on: this checkpoint holds the main line itself
                interrupted = true;
                Thread.interrupted();
            }
            save(branchBatches);
        }
        if (interrupted) Thread.currentThread().interrupt();
        listeners.state(!args.endless() && step >= args.maxTrainSteps() ? "finished" : "stopped", step);
        return new Trainer.Outcome(step, lastSavedEval == null ? null : lastSavedEval.loss(),
                lastSavedEval == null ? null : lastSavedEval.perplexity(), lastCheckpoint);
    }

    private Drawn draw() throws InterruptedException {
        List<int[][]> micro = new ArrayList<>(args.gradientAccumulationSteps());
        for (int k = 0; k < args.gradientAccumulationSteps(); k++) micro.add(data.nextBatch());
        return new Drawn(micro, data.state());
    }

    private void evaluateNow() {
        listeners.state("evaluating", step);
        lastEval = validation.evaluate(model, vocabulary.tokenizerId(), vocabulary.size());
        lastEvaluated = step;
        if (lastEval.measured()) {
            Map<String, Double> s = new LinkedHashMap<>();
            s.put("loss/eval", lastEval.loss());
            s.put("perplexity", lastEval.perplexity());
            listeners.scalars(step, s);
        } else {
            LOG.warn("no validation chunks of tokenizer {} and length {}: nothing to evaluate",
                    vocabulary.tokenizerId(), args.seqLength());
        }
        listeners.state("training", step);
    }

    /** Whether checkpoints come from decay branches (the wsd schedule). */
    private boolean decays() {
        return schedule.kind() == LrSchedule.Kind.WSD;
    }

    /** The main line's next decay_steps updates' batches, drawn now if need be and queued for the main line. */
    private List<Drawn> branchBatches() throws InterruptedException {
        while (ahead.size() < args.decaySteps()) ahead.add(draw());
        return List.copyOf(ahead).subList(0, (int) args.decaySteps());
    }

    /**
     * Writes and announces a checkpoint of this step: the main line's weights, or, given the batches of a
     * decay branch, the branch's weights on top and the main line's in {@code main/}.
     */
    private void save(List<Drawn> branchBatches) {
        boolean branch = branchBatches != null;
        Announced[] announced = new Announced[1];
        CheckpointState[] state = new CheckpointState[1];
        Path dir = io.store().write(run.runId(), step, tmp -> {
            optimizer.save(tmp.resolve(AdamW.STATE_FILE));
            if (branch) {
                model.save(tmp.resolve(Trainer.MAIN_DIR));
                announced[0] = decayBranch(tmp, branchBatches);
            } else {
                model.save(tmp);
                if (lastEvaluated != step) evaluateNow(); // the announcement carries the evaluation of this very step
                announced[0] = new Announced(step * args.tokensPerUpdate(), afterLastUpdate.frontier(), lastEval);
            }
            if (vocabulary.tokenizerJson() != null) {
                Files.copy(vocabulary.tokenizerJson(), tmp.resolve(Checkpoint.TOKENIZER_FILE));
            }
            Evaluation e = announced[0].evaluation();
            boolean evaluated = e != null && e.measured();
            state[0] = new CheckpointState(run.runId(), step, evaluated ? e.loss() : null, evaluated ? e.perplexity() : null,
                    args.toMap(), afterLastUpdate);
            state[0].write(tmp);
        });
        lastSaved = step;
        lastSavedEval = announced[0].evaluation();
        lastCheckpoint = dir;
        Manifest published = io.store().publish(run.runId(), dir); // visible to readers only once complete
        CheckpointAnnouncement a = CheckpointAnnouncement.newBuilder()
                .setRunId(run.runId()).setStep(step).setTokenizerId(vocabulary.tokenizerId())
                .setEvalLoss(state[0].evalLoss()).setPerplexity(state[0].perplexity())
                .setLocation(published.location())
                .setSha256(published.entry(Checkpoint.WEIGHTS_FILE).orElseThrow().sha256())
                .setCreatedAt(Instant.now())
                .setFrontier(new TreeMap<>(announced[0].frontier()).entrySet().stream()
                        .map(f -> new PartitionOffset(f.getKey(), f.getValue())).toList())
                .setTokensTrained(announced[0].tokensTrained())
                .build();
        io.announcer().announce(a);
        io.train().commit(afterLastUpdate.committable());
        listeners.checkpointed(a);
        if (vocabulary.tokenizerJson() != null) {
            try {
                if (sample == null) sample = CheckpointSample.of(model, vocabulary.tokenizerJson());
                listeners.sampled(step, CheckpointSample.PROMPT + sample.complete());
            } catch (RuntimeException e) { // a sample shows the training, it is never a reason to stop it
                LOG.warn("no checkpoint sample at step {}: {}", step, e.toString());
            }
        }
    }

    /**
     * Trains a copy of the main line (weights and optimizer state, read back from what {@code dir} holds)
     * on the main line's next batches with the decaying rate, evaluates it and saves its weights in dir.
     * The main line's weights and optimizer are not touched.
     */
    private Announced decayBranch(Path dir, List<Drawn> batches) throws IOException {
        listeners.state("decay branch", step);
        try (Gpt branch = Gpt.load(dir.resolve(Trainer.MAIN_DIR), run.device());
             AdamW branchOptimizer = new AdamW(branch.parameters(), optimizer.settings())) {
            branchOptimizer.load(dir.resolve(AdamW.STATE_FILE));
            TrainStep decay = new TrainStep(branch, branchOptimizer, schedule.decayBranch(step), args.seed());
            DatasetState after = afterLastUpdate;
            for (Drawn d : batches) {
                decay.run(d.micro());
                after = d.after();
            }
            listeners.state("evaluating", step);
            Evaluation e = validation.evaluate(branch, vocabulary.tokenizerId(), vocabulary.size());
            if (e.measured()) {
                Map<String, Double> s = new LinkedHashMap<>();
                s.put("loss/eval_decayed", e.loss());
                s.put("perplexity_decayed", e.perplexity());
                listeners.scalars(step, s);
            }
            branch.save(dir);
            listeners.state("training", step);
            return new Announced((step + batches.size()) * args.tokensPerUpdate(), after.frontier(), e);
        }
    }
}
