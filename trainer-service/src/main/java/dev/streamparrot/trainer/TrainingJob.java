package dev.streamparrot.trainer;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.streamparrot.model.DeviceSetting;
import dev.streamparrot.topics.Topics;
import dev.streamparrot.trainer.data.ChunkLength;
import dev.streamparrot.trainer.logging.TrainingLog;
import dev.streamparrot.trainer.loop.Trainer;
import dev.streamparrot.trainer.loop.LiveStatus;
import dev.streamparrot.trainer.loop.TrainingArgs;
import dev.streamparrot.trainer.loop.TrainingListener;

import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.trainer.checkpoint.CheckpointStore;
import dev.streamparrot.trainer.group.GroupMember;
import dev.streamparrot.trainer.group.GroupStatus;
import dev.streamparrot.trainer.group.GroupTopics;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
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
    private final LiveStatus status;
    private final GroupStatus groupStatus = new GroupStatus();
    private volatile Trainer trainer;
    private Device device; // resolved once, by device()
    private volatile GroupMember member;

    /** @param out where the log lines go; extraListeners hear the run too (the CLI's progress bar) */
    public TrainingJob(TrainerSettings settings, PrintStream out, List<TrainingListener> extraListeners) {
        this.settings = settings;
        this.out = out;
        this.extraListeners = List.copyOf(extraListeners);
        TrainingArgs a = settings.args();
        this.status = new LiveStatus((long) a.trainBatchSize() * a.gradientAccumulationSteps());
    }

    public TrainerSettings settings() {
        return settings;
    }

    public LiveStatus status() {
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

    /** The trainer group's view, when this job is a member of one. */
    public GroupStatus groupStatus() {
        return groupStatus;
    }

    /** Trains until max_train_steps or {@link #stop}, on the calling thread; null outcome for a group member. */
    public Trainer.Outcome run() throws InterruptedException {
        Device device = device();
        if (settings.group() != null) {
            runGroupMember();
            return null;
        }
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

    /**
     * A member of the trainer group: its own TensorBoard log under {@code <log-dir>/<run>/member-<n>}, and, while it
     * coordinates, the global model's under {@code <log-dir>/<run>/global}.
     */
    private void runGroupMember() throws InterruptedException {
        Path runLogs = settings.logDir().resolve(settings.runId());
        String memberName = settings.group().member() != null ? "member-" + settings.group().member()
                : "member-" + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
        SchemaRegistryClient registry = new SchemaRegistryClient(settings.kafka().schemaRegistryUrl());
        try (TrainingLog memberLog = new TrainingLog(runLogs.resolve(memberName), out, settings.args().maxTrainSteps());
             TrainingLog globalLog = new TrainingLog(runLogs.resolve("global"), out, settings.args().maxTrainSteps())) {
            member = new GroupMember(settings.kafka(), settings.group(), GroupTopics.CATALOG,
                    new GroupMember.Run(settings.runId(), settings.args(), settings.tokenizerId(), settings.vocabSize(),
                            new CheckpointStore(settings.checkpointDir(), settings.store().open()), device()),
                    Stream.concat(Stream.of(status, memberLog), extraListeners.stream()).toList(), List.of(status, globalLog), groupStatus,
                    Map.of(), id -> KafkaTrainerIo.release(settings.kafka(), registry, id));
            status.state("training in group " + settings.group().groupId(), 0);
            member.run();
            status.state("finished", status.snapshot().step());
        } catch (RuntimeException | Error e) {
            status.state("failed: " + e, status.snapshot().step());
            throw e;
        }
    }

    /** Asks the run to finish its current update, evaluate and checkpoint (a group member: contribute and leave). */
    public void stop() {
        Trainer t = trainer;
        if (t != null) t.requestStop();
        GroupMember m = member;
        if (m != null) m.requestStop();
    }
}
