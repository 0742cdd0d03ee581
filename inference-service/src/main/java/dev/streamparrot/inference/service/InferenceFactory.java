package dev.streamparrot.inference.service;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.streamparrot.artifacts.ArtifactStore;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.model.DeviceSetting;
import dev.streamparrot.registry.SchemaRegistryClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the serving parts together; the settings are {@link InferenceSettings} ({@code streamparrot.inference.*}).
 * The checkpoint follower and provenance index run unless {@code follow-checkpoints} is false; the evaluator only
 * where {@code evaluation.enabled} is true.
 */
@Factory
final class InferenceFactory {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceFactory.class);

    @Singleton
    InferenceMetrics metrics(MeterRegistry registry) {
        return new InferenceMetrics(registry);
    }

    @Singleton
    CheckpointLoader checkpointLoader(ArtifactStore store, InferenceSettings settings) {
        DeviceSetting setting = DeviceSetting.parse(settings.device());
        Device resolved = setting.resolve(); // gpu without one fails here, at start (the model slot needs the loader)
        LOG.info("device {} (setting {}; {})", resolved, setting, DeviceSetting.offer(Engine.getEngine("PyTorch")));
        return new CheckpointLoader(store, resolved);
    }

    @Context
    @Bean(preDestroy = "close")
    ModelSlot modelSlot(InferenceMetrics metrics, CheckpointLoader loader, InferenceSettings settings) {
        // decoding is many small ops: on a busy machine one thread beats several that spin-wait for each other
        if (settings.torchThreads() > 0) {
            Engine.getEngine("PyTorch"); // loads libtorch, which the call below needs
            JniUtils.setNumThreads(settings.torchThreads());
        }
        ModelSlot slot = new ModelSlot(model -> {
            metrics.swapped();
            LOG.info("model {} is now serving", model.id());
        });
        if (settings.modelDir() != null) slot.swap(loader.load(Path.of(settings.modelDir())));
        return slot;
    }

    @Singleton
    @Bean(preDestroy = "close")
    DecodeLoop decodeLoop(InferenceMetrics metrics) {
        return new DecodeLoop(metrics);
    }

    @Context
    @Bean(preDestroy = "close")
    @Requires(property = "streamparrot.inference.follow-checkpoints", notEquals = "false")
    CheckpointFollower checkpointFollower(KafkaSettings settings, SchemaRegistryClient registry, CheckpointLoader loader,
                                          ModelSlot slot, InferenceMetrics metrics,
                                          InferenceSettings inference, @Value("${micronaut.server.port:8000}") int port) throws java.net.UnknownHostException {
        // the pin key: one per serving instance (its host and port unless configured)
        String id = inference.instanceId() != null ? inference.instanceId()
                : java.net.InetAddress.getLocalHost().getHostName() + ":" + port;
        return new CheckpointFollower(settings, registry, loader, slot, metrics, inference.pinnedCheckpoint(),
                inference.serveOnlyNotWorse(), why -> { }, id).start();
    }

    /** The index behind {@code GET /v1/provenance}; it reads source-files and the chunk topics, so only where checkpoints are followed. */
    @Context
    @Bean(preDestroy = "close")
    @Requires(property = "streamparrot.inference.follow-checkpoints", notEquals = "false")
    ProvenanceFollower provenanceFollower(KafkaSettings settings, SchemaRegistryClient registry) {
        return new ProvenanceFollower(settings, registry).start();
    }

    /** HumanEval jobs ({@code /v1/humaneval}); samples under {@code <data-dir>/humaneval/<job id>/}. */
    @Singleton
    @Bean(preDestroy = "close")
    HumanEvalJobs humanEvalJobs(ModelSlot slot, DecodeLoop loop, @Value("${streamparrot.data-dir:.local/inference}") String dataDir) {
        return new HumanEvalJobs(slot, loop, Path.of(dataDir, "humaneval"), 2);
    }

    /** TensorBoard scalars of the checkpoint evaluations, in {@code <data-dir>/runs/<run id>}. */
    @Singleton
    @Bean(preDestroy = "close")
    @Requires(property = "streamparrot.inference.evaluation.enabled", value = "true")
    EvaluationLog evaluationLog(@Value("${streamparrot.data-dir:.local/inference}") String dataDir) {
        return new EvaluationLog(Path.of(dataDir, "runs"));
    }

    /** Evaluates every announced checkpoint onto checkpoint-evaluations; on where {@code evaluation.enabled} (the local cluster). */
    @Context
    @Bean(preDestroy = "close")
    @Requires(property = "streamparrot.inference.evaluation.enabled", value = "true")
    CheckpointEvaluator checkpointEvaluator(KafkaSettings settings, SchemaRegistryClient registry, CheckpointLoader loader,
                                            DecodeLoop loop, EvaluationLog log, InferenceSettings inference) {
        return new CheckpointEvaluator(settings, registry, loader, loop, inference.evaluation().humanevalProblems(), log).start();
    }
}
