package dev.streamparrot.ingest.service;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.RejectedFile;
import dev.streamparrot.schemas.SourceFile;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import jakarta.annotation.PreDestroy;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

/**
 * Runs the dedup topology for as long as the service runs. It starts once the broker describes the dedup
 * topics (their partition counts shape the topology); until then the service serves and retries.
 */
@Context
@Requires(property = "streamparrot.ingest.dedup-stream.enabled", notEquals = "false")
final class DedupStream {
    private static final Logger LOG = LoggerFactory.getLogger(DedupStream.class);
    private final KafkaSettings settings;
    private final SchemaRegistryClient registry;
    private final MeterRegistry metrics;
    private final String dataDir;
    private final Duration maxLateness;
    private final Thread starter = new Thread(this::startWhenDescribed, "dedup-start");
    private volatile KafkaStreams streams;
    private volatile boolean closed;

    DedupStream(KafkaSettings settings, SchemaRegistryClient registry, MeterRegistry metrics,
                @Value("${streamparrot.data-dir}") String dataDir,
                @Value("${streamparrot.ingest.dedup.max-lateness:5s}") Duration maxLateness) {
        this.settings = settings;
        this.registry = registry;
        this.metrics = metrics;
        this.dataDir = dataDir;
        this.maxLateness = maxLateness;
        starter.setDaemon(true);
        starter.start();
    }

    private void startWhenDescribed() {
        DedupTopics topics = null;
        while (topics == null && !closed) {
            try {
                topics = DedupTopics.described(settings.bootstrapServers());
            } catch (DedupTopics.PartitionMismatch e) {
                LOG.error("dedup cannot start: {}", e.getMessage());
                if (!pause(Duration.ofSeconds(30))) return;
            } catch (RuntimeException e) {
                LOG.warn("dedup waits for the broker and its topics: {}", e.getMessage());
                if (!pause(Duration.ofSeconds(5))) return;
            }
        }
        synchronized (this) {
            if (closed) return;
            streams = start(topics);
        }
    }

    private KafkaStreams start(DedupTopics topics) {
        Topology topology = DedupTopology.build(topics, new AvroSerde<>(SourceFile.class, registry),
                new AvroSerde<>(RejectedFile.class, registry), maxLateness, (file, reason) -> {
                    if (reason == null) {
                        metrics.counter("ingest.files.published").increment();
                        metrics.counter("ingest.bytes.published").increment(file.getSize());
                    } else {
                        metrics.counter("ingest.files.rejected", "reason", reason.name()).increment();
                    }
                });
        LOG.info("ingest dedup topology ({} candidates partitions, {} bands partitions):\n{}",
                topics.candidatePartitions(), topics.bandPartitions(), topology.describe());
        Properties props = new Properties();
        props.putAll(settings.streams("ingest-dedup", Path.of(dataDir, "streams").toString()));
        // Each record costs a MinHash and state lookups: small polls keep a transaction short.
        props.put(StreamsConfig.consumerPrefix("max.poll.records"), 100);
        KafkaStreams started = new KafkaStreams(topology, props);
        // Exactly-once makes a retry safe: a failed thread is replaced and resumes from the last commit.
        started.setUncaughtExceptionHandler(error -> {
            LOG.warn("dedup stream thread failed, replacing it: {}", error.toString());
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        started.start();
        return started;
    }

    private boolean pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    @PreDestroy
    void close() {
        synchronized (this) {
            closed = true;
        }
        starter.interrupt();
        KafkaStreams running = streams;
        if (running == null) return;
        // Leaving the group hands this instance's partitions to the others at once, not after the session
        // timeout (45 s), so a restarted or replaced service deduplicates again within seconds.
        running.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
    }
}
