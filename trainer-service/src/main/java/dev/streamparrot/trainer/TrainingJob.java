package dev.streamparrot.trainer;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.streamparrot.model.DeviceSetting;
import dev.streamparrot.topics.Topics;
import dev.streamparrot.trainer.data.ChunkLength;
import dev.streamparrot.trainer.logging.TrainingLog;
import dev.streamparrot.trainer.loop.Trainer;
import dev.streamparrot.trainer.loop.TrainerStatus;
import dev.streamparrot.trainer.loop.TrainingArgs;
import dev.streamparrot.trainer.loop.TrainingListener;

import java.io.PrintStream;
import java.util.List;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One training run against the cluster, as the service and the CLI both start it. */
public final class TrainingJob {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingJob.class);

    private final TrainerSettings settings;
    private final PrintStream out;
    private final List<TrainingListener> extraListeners;
    private final TrainerStatus status;
    private volatile Trainer trainer;
    private Device device; // resolved once, by device()

    /** @param out where the log lines go; extraListeners hear the run too (the CLI's progress bar) */
    public TrainingJob(TrainerSettings settings, PrintStream out, List<TrainingListener> extraListeners) {
        this.settings = settings;
        this.out = out;
        this.extraListeners = List.copyOf(extraListeners);
        TrainingArgs a = settings.args();
        this.status = new TrainerStatus((long) a.trainBatchSize() * a.gradientAccumulationSteps());
    }

    public TrainerSettings settings() {
        return settings;
    }

    public TrainerStatus status() {
        return status;
    }

    /**
     * Fails with {@link ChunkLength.Mismatch} when chunks-train already holds chunks of another length than the
     * run's seq_length: the packer and the trainer are set up for different models.
     */
    public void checkChunkLength() {
        ChunkLength.checkNewest(settings.kafka(), Topics.CHUNKS_TRAIN.name(), settings.args().seqLength());
    }

    /**
     * Loads libtorch with the configured thread count and resolves the device setting, once; logs both with what
     * the engine offers. Fails (IllegalStateException) for {@code gpu} where the engine sees none, so that the
     * service refuses to start rather than train somewhere else.
     */
    public synchronized Device device() {
        if (device == null) {
            if (settings.threads() > 0) {
                // read by DJL when it loads libtorch, i.e. before the first model exists in this JVM
                System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(settings.threads()));
            }
            Device resolved = settings.device().resolve();
            LOG.info("device {} (setting {}; {}), libtorch threads {}", resolved, settings.device(),
                    DeviceSetting.offer(Engine.getEngine("PyTorch")), JniUtils.getNumThreads());
            device = resolved;
        }
        return device;
    }

    /** Trains until max_train_steps or {@link #stop}, on the calling thread. */
    public Trainer.Outcome run() throws InterruptedException {
        Device device = device();
        try (KafkaTrainerIo io = new KafkaTrainerIo(settings);
             TrainingLog log = new TrainingLog(settings.logDir().resolve(settings.runId()), out, settings.args().maxTrainSteps())) {
            trainer = new Trainer(new Trainer.Run(settings.runId(), settings.args(), settings.tokenizerId(), settings.vocabSize(), device),
                    io.io(), Stream.concat(Stream.of(status, log), extraListeners.stream()).toList());
            return trainer.run();
        } catch (RuntimeException | Error e) {
            status.state("failed: " + e, status.snapshot().step());
            throw e;
        }
    }

    /** Asks the run to finish its current update, evaluate and checkpoint. */
    public void stop() {
        Trainer t = trainer;
        if (t != null) t.requestStop();
    }
}
