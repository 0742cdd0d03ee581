package dev.streamparrot.packer.stream;

import dev.streamparrot.kafka.DeadLetterHandler;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.DeadLetter;
import dev.streamparrot.topics.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.streamparrot.packer.core.Packer;
import dev.streamparrot.packer.core.RepoSplit;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/** One packer instance: the topology running under Kafka Streams with exactly-once. */
public final class PackerStream implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PackerStream.class);

    private final KafkaStreams streams;
    private final PackerMetrics metrics;
    /** Followed here, outside the stream threads, which only look releases up. */
    private final TokenizerReleases releases;

    public PackerStream(KafkaSettings kafka, PackerSettings packing, MeterRegistry meters) {
        this(kafka, packing, meters, Map.of());
    }

    /** @param streamsOverrides Kafka Streams settings that replace the shared ones (tests, benchmarks) */
    public PackerStream(KafkaSettings kafka, PackerSettings packing, MeterRegistry meters, Map<String, String> streamsOverrides) {
        this.metrics = new PackerMetrics(meters);
        TopicAdmin.ensure(kafka.bootstrapServers(), Topics.ALL, (short) 1);
        SchemaRegistryClient registry = new SchemaRegistryClient(kafka.schemaRegistryUrl());
        // Once, before the stream threads start: they then find the ids cached and never race to register.
        registry.register(Topics.CHUNKS_TRAIN.valueSubject(), Chunk.SCHEMA$);
        registry.register(Topics.CHUNKS_VALID.valueSubject(), Chunk.SCHEMA$);
        registry.register(Topics.DEAD_LETTERS.valueSubject(), DeadLetter.SCHEMA$);
        this.releases = new TokenizerReleases(kafka);
        Topology topology = PackerTopology.build(packing, registry, releases, metrics);
        LOG.info("packer topology (seq_length {}, valid share {}):\n{}", packing.seqLength(), packing.validShare(), topology.describe());
        Properties props = new Properties();
        props.putAll(kafka.streams(packing.applicationId(), packing.stateDir()));
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, packing.threads());
        props.putAll(streamsOverrides);
        this.streams = new KafkaStreams(topology, props);
        streams.setStateListener((now, before) -> LOG.info("%s stream %s -> %s".formatted("packer", before, now)));
        // A schema registry outage stops a stream thread without dead-lettering; a new one resumes from the last commit.
        streams.setUncaughtExceptionHandler(DeadLetterHandler.replaceThreadOnOutage("packer"));
    }

    public PackerStream start() {
        streams.start();
        return this;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    public PackerMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        releases.close();
    }

    /**
     * Runs a packer without the HTTP shell (tests launch it as a child JVM to kill it). Arguments:
     * bootstrap servers, registry URL, state dir, then {@code key=value} pairs: {@code seq.length},
     * {@code valid.share}, {@code threads}, {@code application.id}; any other key is a Kafka Streams setting.
     */
    public static void main(String[] args) throws InterruptedException {
        // Avro 1.12 refuses to instantiate classes outside trusted packages (the services get this flag from their launcher)
        if (System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES") == null) System.setProperty("org.apache.avro.SERIALIZABLE_PACKAGES", "dev.streamparrot");
        KafkaSettings kafka = new KafkaSettings(args[0], args[1]);
        Map<String, String> options = new HashMap<>();
        for (int i = 3; i < args.length; i++) options.put(args[i].substring(0, args[i].indexOf('=')), args[i].substring(args[i].indexOf('=') + 1));
        PackerSettings packing = new PackerSettings(
                Objects.requireNonNullElse(options.remove("application.id"), PackerSettings.DEFAULT_APPLICATION_ID), args[2],
                Integer.parseInt(Objects.requireNonNullElse(options.remove("seq.length"), String.valueOf(Packer.DEFAULT_SEQ_LENGTH))),
                Double.parseDouble(Objects.requireNonNullElse(options.remove("valid.share"), String.valueOf(RepoSplit.DEFAULT_VALID_SHARE))),
                Integer.parseInt(Objects.requireNonNullElse(options.remove("threads"), "1")));
        CountDownLatch stopped = new CountDownLatch(1);
        PackerStream stream = new PackerStream(kafka, packing, new SimpleMeterRegistry(), options);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stream.close();
            stopped.countDown();
        }));
        stream.start();
        stopped.await();
    }
}
