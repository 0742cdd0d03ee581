package dev.streamparrot.trainer;

import dev.streamparrot.artifacts.StoreSettings;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.trainer.group.GroupStatus;
import dev.streamparrot.trainer.loop.LiveStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.env.Environment;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Runs the training job in a background thread when the service starts (unless
 * {@code streamparrot.trainer.enabled} is false), and publishes its figures as gauges.
 * Stopping the service ends the run with an evaluation and a checkpoint, which the next start resumes.
 */
@Context
final class TrainerService {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);

    private final boolean enabled;
    private final TrainingJob job;
    private Thread thread;

    TrainerService(Environment env, KafkaSettings kafka, MeterRegistry meters) {
        this.enabled = env.getProperty("streamparrot.trainer.enabled", Boolean.class).orElse(true);
        Path dataDir = Path.of(env.getProperty("streamparrot.data-dir", String.class).orElse(".local/trainer"));
        TrainerSettings settings = TrainerSettings.from(kafka, dataDir,
                key -> env.getProperty("streamparrot.trainer." + key, String.class),
                StoreSettings.from(key -> env.getProperty(key, String.class), dataDir));
        this.job = new TrainingJob(settings, System.out, List.of());
        gauge(meters, "streamparrot.trainer.step", s -> s.step());
        gauge(meters, "streamparrot.trainer.loss.train", LiveStatus.Snapshot::loss);
        gauge(meters, "streamparrot.trainer.loss.eval", LiveStatus.Snapshot::evalLoss);
        gauge(meters, "streamparrot.trainer.perplexity", LiveStatus.Snapshot::perplexity);
        gauge(meters, "streamparrot.trainer.lr", LiveStatus.Snapshot::lr);
        gauge(meters, "streamparrot.trainer.samples", s -> s.samples());
        gauge(meters, "streamparrot.trainer.tokens.per.second", LiveStatus.Snapshot::tokensPerSecond);
        if (settings.group() != null) {
            groupGauge(meters, "streamparrot.trainer.group.round", s -> s.round());
            groupGauge(meters, "streamparrot.trainer.group.inner.step", s -> s.innerStep());
            groupGauge(meters, "streamparrot.trainer.group.size", s -> s.groupSize());
            groupGauge(meters, "streamparrot.trainer.group.partitions", s -> s.partitions().size());
            groupGauge(meters, "streamparrot.trainer.group.coordinator", s -> s.coordinator() ? 1 : 0);
            groupGauge(meters, "streamparrot.trainer.group.round.seconds", GroupStatus.Snapshot::lastRoundSeconds);
            groupGauge(meters, "streamparrot.trainer.group.round.bytes", s -> s.lastRoundBytes());
            groupGauge(meters, "streamparrot.trainer.group.bytes.exchanged", s -> s.bytesExchanged());
            groupGauge(meters, "streamparrot.trainer.group.contributions.refused", s -> s.refused());
            groupGauge(meters, "streamparrot.trainer.group.contributions.late", s -> s.lateDropped());
        }
    }

    private void groupGauge(MeterRegistry meters, String name, ToDoubleFunction<GroupStatus.Snapshot> value) {
        Gauge.builder(name, job.groupStatus(), status -> value.applyAsDouble(status.snapshot()))
                .tag("run", job.settings().runId()).tag("group", job.settings().group().groupId()).register(meters);
    }

    private void gauge(MeterRegistry meters, String name, ToDoubleFunction<LiveStatus.Snapshot> value) {
        Gauge.builder(name, job.status(), status -> value.applyAsDouble(status.snapshot()))
                .tag("run", job.settings().runId()).register(meters);
    }

    @PostConstruct
    void start() {
        if (!enabled) {
            job.status().state("disabled", 0);
            return;
        }
        job.device(); // a device that cannot be had (gpu without one) stops the start here, with the reason
        job.checkChunkLength(); // a packer set up for another model stops the start, with both settings named
        thread = new Thread(() -> {
            try {
                job.run();
            } catch (InterruptedException e) {
                LOG.info("training stopped while waiting for chunks");
            } catch (RuntimeException | Error e) {
                LOG.error("training failed", e);
            }
        }, "trainer");
        thread.setDaemon(true);
        thread.start();
    }

    TrainingJob job() {
        return job;
    }

    boolean enabled() {
        return enabled;
    }

    @PreDestroy
    void stop() throws InterruptedException {
        if (thread == null) return;
        job.stop();
        thread.join(2000);
        if (thread.isAlive()) thread.interrupt(); // it is waiting for chunks, not training
        thread.join(120_000);
    }

}
