package dev.streamparrot.trainer.loop;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.streamparrot.artifacts.ArtifactLocation;
import dev.streamparrot.model.AdamW;
import dev.streamparrot.model.Checkpoint;
import dev.streamparrot.model.Gpt;
import dev.streamparrot.model.GptConfig;
import dev.streamparrot.model.LrSchedule;
import dev.streamparrot.model.TrainStep;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.trainer.checkpoint.CheckpointAnnouncer;
import dev.streamparrot.trainer.checkpoint.CheckpointStore;
import dev.streamparrot.trainer.checkpoint.TrainerState;
import dev.streamparrot.trainer.data.ChunkDataset;
import dev.streamparrot.trainer.data.ChunkSource;
import dev.streamparrot.trainer.data.DataState;
import dev.streamparrot.trainer.data.Rejects;
import dev.streamparrot.trainer.data.ValidationChunks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The book's training loop on the chunk topics: batches from the endless dataset, AdamW with a warmup
 * schedule, gradient accumulation and clipping ({@link TrainStep}), evaluation every eval_interval updates,
 * checkpoints every save_checkpoint_steps and at the end, each announced.
 *
 * <p>A run resumes from its latest checkpoint: weights, optimizer moments and step (hence the learning
 * rate), and the dataset's state, so the following updates are those of an uninterrupted run.
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    /**
     * @param runId             names the run's checkpoints and logs; a run with the same id resumes
     * @param tokenizerId       the tokenizer to train on, or null for the first chunk's
     * @param fallbackVocabSize the vocabulary when the tokenizer's release is not found
     * @param device            where the model and the optimizer live (a resolved {@code DeviceSetting})
     */
    public record Run(String runId, TrainingArgs args, String tokenizerId, int fallbackVocabSize, Device device) {}

    /** Where the data comes from and where checkpoints go. */
    public record Io(ChunkSource train, ValidationChunks valid, Rejects rejects,
                     Function<String, Optional<TokenizerRelease>> releases,
                     CheckpointStore store, CheckpointAnnouncer announcer) {}

    /** How a run ended: its last step, evaluation and checkpoint. */
    public record Outcome(long step, Double evalLoss, Double perplexity, Path checkpoint) {}

    /** An evaluation's result; loss NaN when the validation split held nothing usable. */
    public record Evaluation(double loss, double perplexity, long sequences) {}

    private final Run run;
    private final TrainingArgs args;
    private final Io io;
    private final List<TrainingListener> listeners;
    private volatile boolean stopRequested;

    public Trainer(Run run, Io io, List<TrainingListener> listeners) {
        this.run = run;
        this.args = run.args();
        this.io = io;
        this.listeners = List.copyOf(listeners);
    }

    /** Ends the run after the current update, with an evaluation and a checkpoint. */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * Trains until max_train_steps, {@link #requestStop}, or an interrupt (which only takes effect while waiting
     * for chunks; the thread's interrupt flag is set again on return). Ends with an evaluation and a checkpoint.
     */
    public Outcome run() throws InterruptedException {
        Optional<Path> resumeDir = io.store().latest(run.runId());
        TrainerState resumed = null;
        if (resumeDir.isPresent()) {
            resumed = readState(resumeDir.get());
            warnAboutChangedArgs(resumed.args());
        }
        ChunkDataset data = new ChunkDataset(io.train(), new ChunkDataset.Settings(args.trainBatchSize(), args.seqLength(),
                args.shuffleBuffer(), args.seed(), args.atEnd()), run.tokenizerId(), resumed == null ? null : resumed.data(),
                io.rejects());
        announceState("waiting for chunks", resumed == null ? 0 : resumed.step());
        String tokenizerId = data.tokenizerId();
        Optional<TokenizerRelease> release = io.releases().apply(tokenizerId);
        int vocab = release.map(TokenizerRelease::getVocabSize).orElse(run.fallbackVocabSize());
        if (release.isEmpty()) {
            LOG.warn("no release of tokenizer {} on the releases topic: vocabulary {} and no tokenizer.json in checkpoints",
                    tokenizerId, vocab);
        }
        data.requireIdsBelow(vocab);
        Path tokenizerJson = release.map(r -> ArtifactLocation.resolve(r.getLocation())).orElse(null);

        try (Gpt model = resumeDir.isPresent() ? Gpt.load(resumeDir.get(), run.device())
                : Gpt.create(modelConfig(vocab, release), args.seed(), run.device());
             AdamW optimizer = new AdamW(model.parameters(), new AdamW.Settings(0.9, 0.999, 1e-8, args.weightDecay()))) {
            if (args.seqLength() > model.config().nPositions()) {
                throw new IllegalArgumentException("seq_length " + args.seqLength() + " exceeds the model's n_positions "
                        + model.config().nPositions());
            }
            if (resumeDir.isPresent()) optimizer.load(resumeDir.get().resolve(AdamW.STATE_FILE));
            LrSchedule schedule = LrSchedule.of(args.lrSchedulerType(), args.learningRate(), args.numWarmupSteps(), args.maxTrainSteps());
            TrainStep trainStep = new TrainStep(model, optimizer, schedule, args.seed());
            Loop loop = new Loop(model, optimizer, trainStep, data, tokenizerId, vocab, tokenizerJson,
                    resumed == null ? null : resumed.data(), resumed);
            return loop.run();
        }
    }

    private GptConfig modelConfig(int vocab, Optional<TokenizerRelease> release) {
        GptConfig config = GptConfig.preset(args.model(), vocab);
        return release.map(r -> config.withSpecialTokens(r.getEosId(), r.getEosId())).orElse(config);
    }

    /** One run's mutable state, so that run() reads top to bottom. */
    private final class Loop {
        final Gpt model;
        final AdamW optimizer;
        final TrainStep trainStep;
        final ChunkDataset data;
        final String tokenizerId;
        final int vocab;
        final Path tokenizerJson;
        DataState afterLastUpdate; // null until the first update of a fresh run
        long step;
        long lastSaved = -1, lastEvaluated = -1;
        Evaluation lastEval;
        Path lastCheckpoint;

        Loop(Gpt model, AdamW optimizer, TrainStep trainStep, ChunkDataset data, String tokenizerId, int vocab,
             Path tokenizerJson, DataState start, TrainerState resumed) {
            this.model = model;
            this.optimizer = optimizer;
            this.trainStep = trainStep;
            this.data = data;
            this.tokenizerId = tokenizerId;
            this.vocab = vocab;
            this.tokenizerJson = tokenizerJson;
            this.afterLastUpdate = start;
            this.step = optimizer.step();
            if (resumed != null) {
                lastSaved = lastEvaluated = resumed.step();
                if (resumed.evalLoss() != null) lastEval = new Evaluation(resumed.evalLoss(), resumed.perplexity(), 0);
            }
        }

        Outcome run() throws InterruptedException {
            announceState(step == 0 ? "training" : "training (resumed at step " + step + ")", step);
            long intervalStart = System.nanoTime(), intervalUpdates = 0;
            double intervalLoss = 0;
            boolean interrupted = false;
            try {
                while (step < args.maxTrainSteps() && !stopRequested) {
                    long t0 = System.nanoTime();
                    List<int[][]> micro = new ArrayList<>(args.gradientAccumulationSteps());
                    for (int k = 0; k < args.gradientAccumulationSteps(); k++) micro.add(data.nextBatch());
                    TrainStep.Result r = trainStep.run(micro);
                    afterLastUpdate = data.state();
                    step = r.step();
                    double tokensPerSecond = args.tokensPerUpdate() / ((System.nanoTime() - t0) / 1e9);
                    listeners.forEach(l -> l.updated(r, tokensPerSecond));
                    intervalLoss += r.loss();
                    intervalUpdates++;
                    if (step % args.logInterval() == 0) {
                        double seconds = (System.nanoTime() - intervalStart) / 1e9;
                        Map<String, Double> s = new LinkedHashMap<>();
                        s.put("loss/train", intervalLoss / intervalUpdates);
                        s.put("lr", r.lr());
                        s.put("samples", (double) step * args.trainBatchSize() * args.gradientAccumulationSteps());
                        s.put("tokens/s", intervalUpdates * args.tokensPerUpdate() / seconds);
                        scalars(step, s);
                        intervalStart = System.nanoTime();
                        intervalUpdates = 0;
                        intervalLoss = 0;
                    }
                    if (step % args.evalInterval() == 0) evaluateNow();
                    if (step % args.saveCheckpointSteps() == 0) save();
                }
            } catch (InterruptedException | org.apache.kafka.common.errors.InterruptException e) {
                // interrupted while waiting for chunks: keep what was trained since the last checkpoint, below
                interrupted = true;
                Thread.interrupted(); // file channels and Kafka clients refuse to work on an interrupted thread
            }
            if (step > lastSaved && step > 0) save();
            if (interrupted) Thread.currentThread().interrupt();
            announceState(step >= args.maxTrainSteps() ? "finished" : "stopped", step);
            return new Outcome(step, lastEval == null ? null : lastEval.loss(), lastEval == null ? null : lastEval.perplexity(),
                    lastCheckpoint);
        }

        void evaluateNow() {
            announceState("evaluating", step);
            lastEval = evaluate(model, tokenizerId, vocab);
            lastEvaluated = step;
            if (lastEval.sequences() > 0) {
                Map<String, Double> s = new LinkedHashMap<>();
                s.put("loss/eval", lastEval.loss());
                s.put("perplexity", lastEval.perplexity());
                scalars(step, s);
            } else {
                LOG.warn("no validation chunks of tokenizer {} and length {}: nothing to evaluate", tokenizerId, args.seqLength());
            }
            announceState("training", step);
        }

        void save() {
            if (lastEvaluated != step) evaluateNow(); // the announcement carries the evaluation of this very step
            Double evalLoss = lastEval != null && lastEval.sequences() > 0 ? lastEval.loss() : null;
            Double perplexity = evalLoss == null ? null : lastEval.perplexity();
            TrainerState state = new TrainerState(run.runId(), step, evalLoss, perplexity, args.toMap(), afterLastUpdate);
            Path dir = io.store().write(run.runId(), step, tmp -> {
                model.save(tmp);
                optimizer.save(tmp.resolve(AdamW.STATE_FILE));
                if (tokenizerJson != null) Files.copy(tokenizerJson, tmp.resolve(Checkpoint.TOKENIZER_FILE));
                state.write(tmp);
            });
            lastSaved = step;
            lastCheckpoint = dir;
            Checkpoint checkpoint = new Checkpoint(dir);
            CheckpointAnnouncement a = CheckpointAnnouncement.newBuilder()
                    .setRunId(run.runId()).setStep(step).setTokenizerId(tokenizerId)
                    .setEvalLoss(evalLoss).setPerplexity(perplexity)
                    .setLocation(checkpoint.location())
                    .setSha256(checkpoint.weightsSha256())
                    .setCreatedAt(Instant.now())
                    .build();
            io.announcer().announce(a);
            io.train().commit(afterLastUpdate.next());
            listeners.forEach(l -> l.checkpointed(a));
        }
    }

    /**
     * The book's evaluate(): mean loss over the validation split (at most max_eval_steps batches), and
     * perplexity = exp(loss), infinite when that overflows.
     */
    public Evaluation evaluate(Gpt model, String tokenizerId, int vocab) {
        long limit = args.maxEvalSteps() < 0 ? -1 : args.maxEvalSteps() * args.validBatchSize();
        List<int[]> batch = new ArrayList<>(args.validBatchSize());
        double[] lossSum = {0};
        long n = io.valid().read(tokenizerId, args.seqLength(), vocab, limit, ids -> {
            batch.add(ids);
            if (batch.size() == args.validBatchSize()) lossSum[0] += batchLoss(model, batch);
        });
        if (!batch.isEmpty()) lossSum[0] += batchLoss(model, batch);
        double loss = n == 0 ? Double.NaN : lossSum[0] / n;
        return new Evaluation(loss, Math.exp(loss), n);
    }

    /** Sum over the batch's sequences of their mean token loss (so batches of any size weigh by sequence). */
    private static double batchLoss(Gpt model, List<int[]> batch) {
        try (NDManager m = NDManager.newBaseManager(model.device(), "PyTorch")) {
            double mean = model.loss(Gpt.ids(m, batch.toArray(int[][]::new)), false).getFloat();
            double sum = mean * batch.size();
            batch.clear();
            return sum;
        }
    }

    private void scalars(long step, Map<String, Double> values) {
        listeners.forEach(l -> l.scalars(step, values));
    }

    private void announceState(String state, long step) {
        listeners.forEach(l -> l.state(state, step));
    }

    private void warnAboutChangedArgs(Map<String, String> saved) {
        Map<String, String> now = args.toMap();
        now.forEach((k, v) -> {
            if (saved.containsKey(k) && !saved.get(k).equals(v)) {
                LOG.warn("resuming with {} = {} (the checkpoint's run had {}): the run will differ from an uninterrupted one",
                        k, v, saved.get(k));
            }
        });
    }

    private static TrainerState readState(Path dir) {
        try {
            return TrainerState.read(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the trainer state of " + dir, e);
        }
    }
}
