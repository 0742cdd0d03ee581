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
 * Wires the serving parts together. Config keys:
 * {@code streamparrot.inference.model-dir} (a checkpoint directory to serve from the start),
 * {@code streamparrot.inference.follow-checkpoints} (default true: load announced checkpoints),
 * {@code streamparrot.inference.pinned-checkpoint} (serve only this one: {@code step-<N>-<tokenizerId>} or {@code <runId>/<step>}),
 * {@code streamparrot.inference.torch-threads} (libtorch's intra-op threads; 0 keeps its default),
 * {@code streamparrot.inference.device} ({@code auto}, {@code cpu} or {@code gpu}: where checkpoints are loaded and generate).
 */
@Factory
final class InferenceFactory {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceFactory.class);

    @Singleton
    InferenceMetrics metrics(MeterRegistry registry) {
        return new InferenceMetrics(registry);
    }

    @Singleton
    CheckpointLoader checkpointLoader(ArtifactStore store, @Value("${streamparrot.inference.device:auto}") String device) {
        DeviceSetting setting = DeviceSetting.parse(device);
        Device resolved = setting.resolve(); // gpu without one fails here, at start (the model slot needs the loader)
        LOG.info("device {} (setting {}; {})", resolved, setting, DeviceSetting.offer(Engine.getEngine("PyTorch")));
        return new CheckpointLoader(store, resolved);
    }

    @Context
    @Bean(preDestroy = "close")
    ModelSlot modelSlot(InferenceMetrics metrics, CheckpointLoader loader,
                        @Nullable @Value("${streamparrot.inference.model-dir:}") String modelDir,
                        @Value("${streamparrot.inference.torch-threads:0}") int torchThreads) {
        // decoding is many small ops: on a busy machine one thread beats several that spin-wait for each other
        if (torchThreads > 0) {
            Engine.getEngine("PyTorch"); // loads libtorch, which the call below needs
            JniUtils.setNumThreads(torchThreads);
        }
        ModelSlot slot = new ModelSlot(model -> {
            metrics.swapped();
            LOG.info("model {} is now serving", model.id());
        });
        if (modelDir != null && !modelDir.isBlank()) slot.swap(loader.load(Path.of(modelDir)));
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
                                          @Nullable @Value("${streamparrot.inference.pinned-checkpoint:}") String pinned,
                                          @Nullable @Value("${streamparrot.inference.instance-id:}") String instance,
                                          @Value("${micronaut.server.port:8000}") int port) throws java.net.UnknownHostException {
        // the pin key: one per serving instance (its host and port unless configured)
        String id = instance != null && !instance.isBlank() ? instance
                : java.net.InetAddress.getLocalHost().getHostName() + ":" + port;
        return new CheckpointFollower(settings, registry, loader, slot, metrics, pinned, why -> { }, id).start();
    }
}
