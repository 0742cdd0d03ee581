package dev.streamparrot.tokenize.stream;

import dev.streamparrot.artifacts.ArtifactStore;
import dev.streamparrot.artifacts.ArtifactStores;
import dev.streamparrot.kafka.DeadLetterHandler;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.DeadLetter;
import dev.streamparrot.schemas.TokenizedFile;
import dev.streamparrot.topics.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * One tokenize instance: the topology under Kafka Streams with exactly-once. Encoding uses all cores
 * through stream threads (one task per source-files partition; each thread is its own transactional
 * producer), so exactly-once needs nothing more. It starts once a release has been activated: before
 * that there is nothing to encode with.
 */
public final class TokenizeStream implements AutoCloseable {
    public static final String DEFAULT_APPLICATION_ID = "tokenize";
    private static final Logger LOG = LoggerFactory.getLogger(TokenizeStream.class);

    private final ReleaseCatalog catalog;
    private final KafkaStreams streams;
    private final TokenizeMetrics metrics;
    private final Thread starter;

    /**
     * @param threads stream threads; more than the source-files partitions leaves some idle
     */
    public TokenizeStream(KafkaSettings kafka, String applicationId, String stateDir, int threads, MeterRegistry meters) {
        this(kafka, applicationId, stateDir, threads, meters, Map.of());
    }

    /** @param streamsOverrides Kafka Streams settings that replace the shared ones (tests, benchmarks) */
    public TokenizeStream(KafkaSettings kafka, String applicationId, String stateDir, int threads, MeterRegistry meters,
                          Map<String, String> streamsOverrides) {
        this(kafka, applicationId, stateDir, threads, meters, streamsOverrides, ArtifactStores.localReader());
    }

    /** @param store where released tokenizers are read from (their locations name it) */
    public TokenizeStream(KafkaSettings kafka, String applicationId, String stateDir, int threads, MeterRegistry meters,
                          Map<String, String> streamsOverrides, ArtifactStore store) {
        TopicAdmin.ensure(kafka.bootstrapServers(), Topics.ALL, (short) 1);
        this.metrics = new TokenizeMetrics(meters);
        this.catalog = new ReleaseCatalog(kafka);
        SchemaRegistryClient registry = new SchemaRegistryClient(kafka.schemaRegistryUrl());
        // Once, before the stream threads start: they then find the ids cached and never race to register.
        registry.register(Topics.TOKEN_IDS.valueSubject(), TokenizedFile.SCHEMA$);
        registry.register(Topics.DEAD_LETTERS.valueSubject(), DeadLetter.SCHEMA$);
        Topology topology = TokenizeTopology.build(applicationId, registry, catalog, new TokenizerCache(store), metrics);
        LOG.info("tokenize topology ({} stream threads):\n{}", threads, topology.describe());
        Properties props = new Properties();
        props.putAll(kafka.streams(applicationId, stateDir));
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        props.putAll(streamsOverrides);
        this.streams = new KafkaStreams(topology, props);
        streams.setStateListener((now, before) -> LOG.info("%s stream %s -> %s".formatted("tokenize", before, now)));
        // A schema registry outage stops a stream thread without dead-lettering; a new one resumes from the last commit.
        streams.setUncaughtExceptionHandler(DeadLetterHandler.replaceThreadOnOutage("tokenize"));
        this.starter = new Thread(this::startWhenActivated, "tokenize-starter");
        starter.setDaemon(true);
    }

    public TokenizeStream start() {
        starter.start();
        return this;
    }

    private void startWhenActivated() {
        try {
            if (catalog.activations().isEmpty()) LOG.info("waiting for a tokenizer activation before encoding");
            catalog.awaitFirstActivation();
            streams.start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IllegalStateException e) {
            LOG.debug("not started: closed while waiting", e);
        }
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    public TokenizeMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        starter.interrupt();
        streams.close(Duration.ofSeconds(30));
        catalog.close();
    }

    public static int defaultThreads() {
        return Math.min(Topics.SOURCE_FILES.partitions(), Runtime.getRuntime().availableProcessors());
    }

    /**
     * Runs the stream without the HTTP shell (tests launch it as a child JVM to kill it). Arguments:
     * bootstrap servers, registry URL, state dir, then {@code key=value} pairs: {@code threads},
     * {@code application.id}; any other key is a Kafka Streams setting.
     */
    public static void main(String[] args) throws InterruptedException {
        // Avro 1.12 refuses to instantiate classes outside trusted packages (the services get this flag from their launcher)
        if (System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES") == null) System.setProperty("org.apache.avro.SERIALIZABLE_PACKAGES", "dev.streamparrot");
        KafkaSettings kafka = new KafkaSettings(args[0], args[1]);
        Map<String, String> options = new HashMap<>();
        for (int i = 3; i < args.length; i++) options.put(args[i].substring(0, args[i].indexOf('=')), args[i].substring(args[i].indexOf('=') + 1));
        String applicationId = Objects.requireNonNullElse(options.remove("application.id"), DEFAULT_APPLICATION_ID);
        int threads = Integer.parseInt(Objects.requireNonNullElse(options.remove("threads"), String.valueOf(defaultThreads())));
        CountDownLatch stopped = new CountDownLatch(1);
        TokenizeStream stream = new TokenizeStream(kafka, applicationId, args[2], threads, new SimpleMeterRegistry(), options);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stream.close();
            stopped.countDown();
        }));
        stream.start();
        stopped.await();
    }
}
