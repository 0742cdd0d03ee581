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
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

/** Runs the dedup topology for as long as the service runs. */
@Context
@Requires(property = "streamparrot.ingest.dedup-stream.enabled", notEquals = "false")
final class DedupStream {
    private static final Logger LOG = LoggerFactory.getLogger(DedupStream.class);
    private final KafkaStreams streams;

    DedupStream(KafkaSettings settings, SchemaRegistryClient registry, MeterRegistry metrics,
                @Value("${streamparrot.data-dir}") String dataDir,
                @Value("${streamparrot.ingest.dedup.max-lateness:5s}") Duration maxLateness) {
        DedupTopics topics = DedupTopics.described(settings.bootstrapServers(), "");
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
        props.put(org.apache.kafka.streams.StreamsConfig.consumerPrefix("max.poll.records"), 100);
        streams = new KafkaStreams(topology, props);
        // Exactly-once makes a retry safe: a failed thread is replaced and resumes from the last commit.
        streams.setUncaughtExceptionHandler(error -> {
            LOG.warn("dedup stream thread failed, replacing it: {}", error.toString());
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
    }

    KafkaStreams.State state() {
        return streams.state();
    }

    @PreDestroy
    void close() {
        // Leaving the group hands this instance's partitions to the others at once, not after the
        // session timeout (45 s), so a restarted or replaced service deduplicates again within seconds.
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
    }

}
