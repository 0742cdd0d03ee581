package dev.streamparrot.trainer.loop;

import ai.djl.Device;
import dev.streamparrot.artifacts.ArtifactStore;
import dev.streamparrot.model.AdamW;
import dev.streamparrot.model.Checkpoint;
import dev.streamparrot.model.Gpt;
import dev.streamparrot.model.GptConfig;
import dev.streamparrot.model.LrSchedule;
import dev.streamparrot.model.TrainStep;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    private final Run run;
    private final TrainingArgs args;
    private final Io io;
    private final Listeners listeners;
    private volatile boolean stopRequested;

    public Trainer(Run run, Io io, List<TrainingListener> listeners) {
        this.run = run;
        this.args = run.args();
        this.io = io;
        this.listeners = new Listeners(listeners);
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
        listeners.state("waiting for chunks", resumed == null ? 0 : resumed.step());
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
            return new TrainingLoop(run, io, listeners, () -> stopRequested, model, optimizer, schedule, data,
                    new TrainingLoop.Vocabulary(tokenizerId, vocab, tokenizerJson), resumed).run();
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
