package dev.streamparrot.trainer.loop;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.streamparrot.artifacts.ArtifactStore;
import dev.streamparrot.artifacts.Manifest;
import dev.streamparrot.model.AdamW;
import dev.streamparrot.model.Checkpoint;
import dev.streamparrot.model.generate.CheckpointSample;
import dev.streamparrot.model.Gpt;
import dev.streamparrot.model.GptConfig;
import dev.streamparrot.model.LrSchedule;
import dev.streamparrot.model.TrainStep;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.schemas.PartitionOffset;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.trainer.checkpoint.CheckpointAnnouncer;
import dev.streamparrot.trainer.checkpoint.CheckpointStore;
import dev.streamparrot.trainer.checkpoint.CheckpointState;
import dev.streamparrot.trainer.data.ChunkDataset;
import dev.streamparrot.trainer.data.ChunkSource;
import dev.streamparrot.trainer.data.DataState;
import dev.streamparrot.trainer.data.DatasetState;
import dev.streamparrot.trainer.data.FreshReplayDataset;
import dev.streamparrot.trainer.data.FreshReplayState;
import dev.streamparrot.trainer.data.Rejects;
import dev.streamparrot.trainer.data.TrainingData;
import dev.streamparrot.trainer.data.ValidationChunks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The book's training loop on the chunk topics: batches from the endless dataset, AdamW with a warmup
 * schedule, gradient accumulation and clipping ({@link TrainStep}), evaluation every eval_interval updates,
 * checkpoints every save_checkpoint_steps and at the end, each announced with its data frontier.
 *
 * <p>With the wsd schedule the run may be endless, and each checkpoint is taken from a decay branch: a copy
 * of the weights and optimizer state trains decay_steps updates with the learning rate going down, on the
 * main line's next batches; the branch is saved and announced (what inference serves), and the main line
 * continues from where it was, at the stable rate, on those same batches. So the main line trains every
 * chunk exactly as a run without branches would, and a branch never sees a chunk the main line will not.
 * The checkpoint directory holds the branch's weights at the top and the main line's in {@code main/}.
 *
 * <p>A run resumes from its latest checkpoint: the main line's weights, optimizer moments and step (hence the
 * learning rate), and the dataset's state, so the following updates are those of an uninterrupted run.
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    /**
     * @param runId             names the run's checkpoints and logs; a run with the same id resumes
     * @param tokenizerId       the tokenizer to train on, or null for the first chunk's
     * @param fallbackVocabSize the vocabulary when the tokenizer's release is not found
     * @param device            where the model and the optimizer live (a resolved {@code DeviceSetting})
     */
    public record Run(String runId, TrainingArgs args, String tokenizerId, int fallbackVocabSize, Device device) {
        /** A run on the CPU. */
        public Run(String runId, TrainingArgs args, String tokenizerId, int fallbackVocabSize) {
            this(runId, args, tokenizerId, fallbackVocabSize, Device.cpu());
        }
    }

    /** The main line's weights in a checkpoint whose top-level weights are a decay branch's. */
    public static final String MAIN_DIR = "main";

    /** Where the data comes from and where checkpoints go. */
    public record Io(ChunkSource train, ValidationChunks valid, Rejects rejects,
                     Function<String, Optional<TokenizerRelease>> releases,
                     CheckpointStore store, CheckpointAnnouncer announcer) {}

    /** How a run ended: its last step, its last checkpoint and that checkpoint's evaluation (a decay branch's with wsd). */
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
     * Trains until max_train_steps (if any), {@link #requestStop}, or an interrupt (which only takes effect while waiting
     * for chunks; the thread's interrupt flag is set again on return). Ends with an evaluation and a checkpoint.
     */
    public Outcome run() throws InterruptedException {
        Optional<Path> resumeDir = io.store().latest(run.runId());
        CheckpointState resumed = null;
        if (resumeDir.isPresent()) {
            resumed = readState(resumeDir.get());
            warnAboutChangedArgs(resumed.args());
        }
        TrainingData data = dataset(resumed == null ? null : resumed.data());
        announceState("waiting for chunks", resumed == null ? 0 : resumed.step());
        String tokenizerId = data.tokenizerId();
        Optional<TokenizerRelease> release = io.releases().apply(tokenizerId);
        int vocab = release.map(TokenizerRelease::getVocabSize).orElse(run.fallbackVocabSize());
        if (release.isEmpty()) {
            LOG.warn("no release of tokenizer {} on the releases topic: vocabulary {} and no tokenizer.json in checkpoints",
                    tokenizerId, vocab);
        }
        data.requireIdsBelow(vocab);
        Path tokenizerJson = release.map(r -> io.store().artifacts().get(r.getLocation(),
                new ArtifactStore.Expected(Checkpoint.TOKENIZER_FILE, r.getSha256()))).orElse(null);

        try (Gpt model = resumeDir.isPresent() ? Gpt.load(mainLine(resumeDir.get()), run.device())
                : Gpt.create(modelConfig(vocab, release), args.seed(), run.device());
             AdamW optimizer = new AdamW(model.parameters(), new AdamW.Settings(0.9, 0.999, 1e-8, args.weightDecay()))) {
            if (args.seqLength() > model.config().nPositions()) {
                throw new IllegalArgumentException("seq_length " + args.seqLength() + " exceeds the model's n_positions "
                        + model.config().nPositions());
            }
            if (resumeDir.isPresent()) optimizer.load(resumeDir.get().resolve(AdamW.STATE_FILE));
            // wsd's main line never decays, even in a run of max_train_steps: every checkpoint, the last one too,
            // comes from a decay branch
            boolean stable = args.endless() || args.lrSchedulerType().equals("wsd");
            LrSchedule schedule = LrSchedule.of(args.lrSchedulerType(), args.learningRate(), args.numWarmupSteps(),
                    stable ? LrSchedule.ENDLESS : args.maxTrainSteps(), args.decaySteps());
            TrainStep trainStep = new TrainStep(model, optimizer, schedule, args.seed());
            Loop loop = new Loop(model, optimizer, schedule, trainStep, data, tokenizerId, vocab, tokenizerJson,
                    resumed == null ? null : resumed.data(), resumed);
            return loop.run();
        }
    }

    private TrainingData dataset(DatasetState resumed) {
        if (args.dataset().equals(TrainingArgs.FRESH_REPLAY)) {
            if (resumed != null && !(resumed instanceof FreshReplayState)) {
                throw new IllegalArgumentException("dataset " + args.dataset() + " but the checkpoint was trained with another");
            }
            return new FreshReplayDataset(io.train(), new FreshReplayDataset.Settings(args.trainBatchSize(), args.seqLength(),
                    args.freshFraction(), args.seed()), run.tokenizerId(), (FreshReplayState) resumed, io.rejects());
        }
        if (resumed != null && !(resumed instanceof DataState)) {
            throw new IllegalArgumentException("dataset " + args.dataset() + " but the checkpoint was trained with another");
        }
        return new ChunkDataset(io.train(), new ChunkDataset.Settings(args.trainBatchSize(), args.seqLength(),
                args.shuffleBuffer(), args.seed(), args.atEnd()), run.tokenizerId(), (DataState) resumed, io.rejects());
    }

    /** The directory holding a checkpoint's main-line weights: {@code main/} when its top is a decay branch. */
    private static Path mainLine(Path checkpoint) {
        Path main = checkpoint.resolve(MAIN_DIR);
        return Files.isDirectory(main) ? main : checkpoint;
    }

    private GptConfig modelConfig(int vocab, Optional<TokenizerRelease> release) {
        GptConfig config = GptConfig.preset(args.model(), vocab);
        return release.map(r -> config.withSpecialTokens(r.getEosId(), r.getEosId())).orElse(config);
    }

    /** Micro-batches drawn for one update, and the dataset's state right after them. */
    private record Drawn(List<int[][]> micro, DatasetState after) {}

    /** What a checkpoint announces: the weights trained on up to which data, and their evaluation. */
    private record Announced(long tokensTrained, Map<Integer, Long> frontier, Evaluation evaluation) {}

    /** One run's mutable state, so that run() reads top to bottom. */
    private final class Loop {
        final Gpt model;
        final AdamW optimizer;
        final LrSchedule schedule;
        final TrainStep trainStep;
        final TrainingData data;
        final String tokenizerId;
        final int vocab;
        final Path tokenizerJson;
        /** Batches a decay branch drew ahead of the main line, which trains on them next. */
        final ArrayDeque<Drawn> ahead = new ArrayDeque<>();
        DatasetState afterLastUpdate; // null until the first update of a fresh run
        long step;
        long lastSaved = -1, lastEvaluated = -1;
        Evaluation lastEval, lastSavedEval;
        Path lastCheckpoint;
        boolean interrupted;
        CheckpointSample sample; // made at the first checkpoint, when there is a tokenizer to write with

        Loop(Gpt model, AdamW optimizer, LrSchedule schedule, TrainStep trainStep, TrainingData data, String tokenizerId,
             int vocab, Path tokenizerJson, DatasetState start, CheckpointState resumed) {
            this.model = model;
            this.optimizer = optimizer;
            this.schedule = schedule;
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
            try {
                while ((args.endless() || step < args.maxTrainSteps()) && !stopRequested) {
                    long t0 = System.nanoTime();
                    Drawn batches = ahead.isEmpty() ? draw() : ahead.remove();
                    TrainStep.Result r = trainStep.run(batches.micro());
                    afterLastUpdate = batches.after();
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
            announceState(!args.endless() && step >= args.maxTrainSteps() ? "finished" : "stopped", step);
            return new Outcome(step, lastSavedEval == null ? null : lastSavedEval.loss(),
                    lastSavedEval == null ? null : lastSavedEval.perplexity(), lastCheckpoint);
        }

        Drawn draw() throws InterruptedException {
            List<int[][]> micro = new ArrayList<>(args.gradientAccumulationSteps());
            for (int k = 0; k < args.gradientAccumulationSteps(); k++) micro.add(data.nextBatch());
            return new Drawn(micro, data.state());
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

        /** Whether checkpoints come from decay branches (the wsd schedule). */
        boolean decays() {
            return schedule.kind() == LrSchedule.Kind.WSD;
        }

        /** The main line's next decay_steps updates' batches, drawn now if need be and queued for the main line. */
        List<Drawn> branchBatches() throws InterruptedException {
            while (ahead.size() < args.decaySteps()) ahead.add(draw());
            return List.copyOf(ahead).subList(0, (int) args.decaySteps());
        }

        /**
         * Writes and announces a checkpoint of this step: the main line's weights, or, given the batches of a
         * decay branch, the branch's weights on top and the main line's in {@code main/}.
         */
        void save(List<Drawn> branchBatches) {
            boolean branch = branchBatches != null;
            Announced[] announced = new Announced[1];
            CheckpointState[] state = new CheckpointState[1];
            Path dir = io.store().write(run.runId(), step, tmp -> {
                optimizer.save(tmp.resolve(AdamW.STATE_FILE));
                if (branch) {
                    model.save(tmp.resolve(MAIN_DIR));
                    announced[0] = decayBranch(tmp, branchBatches);
                } else {
                    model.save(tmp);
                    if (lastEvaluated != step) evaluateNow(); // the announcement carries the evaluation of this very step
                    announced[0] = new Announced(step * args.tokensPerUpdate(), afterLastUpdate.frontier(), lastEval);
                }
                if (tokenizerJson != null) Files.copy(tokenizerJson, tmp.resolve(Checkpoint.TOKENIZER_FILE));
                Evaluation e = announced[0].evaluation();
                boolean evaluated = e != null && e.sequences() > 0;
                state[0] = new CheckpointState(run.runId(), step, evaluated ? e.loss() : null, evaluated ? e.perplexity() : null,
                        args.toMap(), afterLastUpdate);
                state[0].write(tmp);
            });
            lastSaved = step;
            lastSavedEval = announced[0].evaluation();
            lastCheckpoint = dir;
            Manifest published = io.store().publish(run.runId(), dir); // visible to readers only once complete
            CheckpointAnnouncement a = CheckpointAnnouncement.newBuilder()
                    .setRunId(run.runId()).setStep(step).setTokenizerId(tokenizerId)
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
            listeners.forEach(l -> l.checkpointed(a));
            if (tokenizerJson != null) {
                try {
                    if (sample == null) sample = CheckpointSample.of(model, tokenizerJson);
                    String text = CheckpointSample.PROMPT + sample.complete();
                    listeners.forEach(l -> l.sampled(step, text));
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
        Announced decayBranch(Path dir, List<Drawn> batches) throws IOException {
            announceState("decay branch", step);
            try (Gpt branch = Gpt.load(dir.resolve(MAIN_DIR), run.device());
                 AdamW branchOptimizer = new AdamW(branch.parameters(), optimizer.settings())) {
                branchOptimizer.load(dir.resolve(AdamW.STATE_FILE));
                TrainStep decay = new TrainStep(branch, branchOptimizer, schedule.decayBranch(step), args.seed());
                DatasetState after = afterLastUpdate;
                for (Drawn d : batches) {
                    decay.run(d.micro());
                    after = d.after();
                }
                announceState("evaluating", step);
                Evaluation e = evaluate(branch, tokenizerId, vocab);
                if (e.sequences() > 0) {
                    Map<String, Double> s = new LinkedHashMap<>();
                    s.put("loss/eval_decayed", e.loss());
                    s.put("perplexity_decayed", e.perplexity());
                    scalars(step, s);
                }
                branch.save(dir);
                announceState("training", step);
                return new Announced((step + batches.size()) * args.tokensPerUpdate(), after.frontier(), e);
            }
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

    private static CheckpointState readState(Path dir) {
        try {
            return CheckpointState.read(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the trainer state of " + dir, e);
        }
    }
}
