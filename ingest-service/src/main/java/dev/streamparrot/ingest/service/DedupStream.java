package dev.streamparrot.ingest.service;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kit.StreamApp;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.ingest.file.RejectReason;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.topics.Topic;
import dev.streamparrot.topics.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import jakarta.annotation.PreDestroy;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs the dedup topology for as long as the service runs. It starts once the broker describes the dedup
 * topics (their partition counts shape the topology); until then the service serves and retries.
 */
@Context
@Requires(property = "streamparrot.ingest.dedup-stream.enabled", notEquals = "false")
final class DedupStream {
    private static final Logger LOG = LoggerFactory.getLogger(DedupStream.class);
    private final KafkaSettings settings;
    private final MeterRegistry metrics;
    private final String dataDir;
    private final Duration maxLateness;
    private final Thread starter = new Thread(this::startWhenDescribed, "dedup-start");
    private volatile StreamApp streams;
    private volatile boolean closed;

    DedupStream(KafkaSettings settings, MeterRegistry metrics,
                @Value("${streamparrot.data-dir}") String dataDir,
                @Value("${streamparrot.ingest.dedup.max-lateness:5s}") Duration maxLateness) {
        this.settings = settings;
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

    private StreamApp start(DedupTopics topics) {
        // Each record costs a MinHash and state lookups: small polls keep a transaction short.
        StreamApp.Stage stage = new StreamApp.Stage("ingest dedup (" + topics.candidatePartitions() + " candidates partitions, "
                + topics.bandPartitions() + " bands partitions)", "ingest-dedup", Path.of(dataDir, "streams").toString(), 1,
                List.of(Topics.SOURCE_FILES, Topics.REJECTED_FILES), Map.of(StreamsConfig.consumerPrefix("max.poll.records"), "100"),
                StreamApp.OnFailure.REPLACE_ALWAYS);
        return new StreamApp(settings, stage, registry -> DedupTopology.build(topics, Topic.avro(Topics.SOURCE_FILES, registry),
                Topic.avro(Topics.REJECTED_FILES, registry), maxLateness, this::count)).start();
    }

    private void count(SourceFile file, RejectReason reason) {
        if (reason == null) {
            metrics.counter("ingest.files.published").increment();
            metrics.counter("ingest.bytes.published").increment(file.getSize());
        } else {
            metrics.counter("ingest.files.rejected", "reason", reason.name()).increment();
        }
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
        StreamApp running = streams;
        // It leaves the group: a restarted or replaced service deduplicates again within seconds, not after the session timeout.
        if (running != null) running.close();
    }
}
