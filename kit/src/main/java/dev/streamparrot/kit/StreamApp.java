package dev.streamparrot.kit;

import dev.streamparrot.kafka.DeadLetterHandler;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.topics.Topic;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * One stream stage under Kafka Streams, the way every stage runs: the catalog's topics ensured, the output
 * schemas registered before any stream thread starts (the threads then find the ids cached and never race to
 * register), the shared exactly-once settings with the dead-letter handler ({@link KafkaSettings#streams}), the
 * topology built by one method and logged with {@code describe()}, a thread stopped by a registry outage replaced
 * (it resumes from the last commit; an outage is not poison), and a close that leaves the group so a replacement
 * gets the partitions at once rather than after the session timeout.
 *
 * <p>A stage is a {@link Stage} (its name, settings and output topics) and a {@link TopologyBuilder}; its
 * command-line {@code main} is {@link StreamArgs#parse} then {@link #runUntilShutdown}.
 */
public final class StreamApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamApp.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    /**
     * How one stage instance runs.
     *
     * @param name          the stage, in logs
     * @param applicationId Kafka Streams application id: the consumer group, and the prefix of its changelog topics
     * @param stateDir      where its state stores live on disk
     * @param threads       stream threads in this instance (at most one per input partition does work)
     * @param outputs       the Avro topics it writes besides dead-letters, whose schemas are registered up front
     * @param overrides     Kafka Streams settings that replace the shared ones (tests, benchmarks, the command line)
     * @param onFailure     which failed stream threads are replaced
     */
    public record Stage(String name, String applicationId, String stateDir, int threads, List<Topic<?>> outputs,
                        Map<String, String> overrides, OnFailure onFailure) {
        public Stage {
            outputs = List.copyOf(outputs);
            overrides = Map.copyOf(overrides);
        }

        /** A stage whose only retried failure is an outage. */
        public Stage(String name, String applicationId, String stateDir, int threads, List<Topic<?>> outputs, Map<String, String> overrides) {
            this(name, applicationId, stateDir, threads, outputs, overrides, OnFailure.REPLACE_ON_OUTAGE);
        }
    }

    /** What happens to a stream thread that failed. Exactly-once makes a replacement safe: it resumes from the last commit. */
    public enum OnFailure {
        /** An outage replaces the thread; anything else shuts the instance down, as Kafka Streams does by default. */
        REPLACE_ON_OUTAGE,
        /** Every failure replaces the thread (the dedup stage, whose every record is retried until it goes through). */
        REPLACE_ALWAYS
    }

    /** The stage's whole topology, built once the registry client exists. */
    @FunctionalInterface
    public interface TopologyBuilder {
        Topology build(SchemaRegistryClient registry);
    }

    private final Stage stage;
    private final KafkaStreams streams;

    public StreamApp(KafkaSettings kafka, Stage stage, TopologyBuilder topology) {
        this.stage = stage;
        TopicAdmin.ensure(kafka.bootstrapServers(), Topics.ALL, (short) 1);
        SchemaRegistryClient registry = new SchemaRegistryClient(kafka.schemaRegistryUrl());
        List<Topic<?>> written = new ArrayList<>(stage.outputs());
        written.add(Topics.DEAD_LETTERS);
        for (Topic<?> topic : written) {
            if (topic.isAvro()) registry.register(topic.valueSubject(), topic.avroSerde(registry).schema());
        }
        Topology built = topology.build(registry);
        LOG.info("{} topology ({} stream threads):\n{}", stage.name(), stage.threads(), built.describe());
        Properties props = new Properties();
        props.putAll(kafka.streams(stage.applicationId(), stage.stateDir()));
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, stage.threads());
        props.putAll(stage.overrides());
        this.streams = new KafkaStreams(built, props);
        streams.setStateListener((now, before) -> LOG.info("{} stream {} -> {}", stage.name(), before, now));
        streams.setUncaughtExceptionHandler(switch (stage.onFailure()) {
            case REPLACE_ON_OUTAGE -> DeadLetterHandler.replaceThreadOnOutage(stage.name());
            case REPLACE_ALWAYS -> replaceAlways(stage.name());
        });
    }

    public StreamApp start() {
        streams.start();
        return this;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public void close() {
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(CLOSE_TIMEOUT));
        LOG.info("{} stream closed", stage.name());
    }

    private static StreamsUncaughtExceptionHandler replaceAlways(String stage) {
        return error -> {
            LOG.warn("{} stream thread failed, replacing it: {}", stage, error.toString());
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        };
    }

    /** Runs a started stage until the JVM is asked to stop (SIGTERM, Ctrl-C), then closes it: a command line's {@code main}. */
    public static void runUntilShutdown(AutoCloseable stage) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                stage.close();
            } catch (Exception e) {
                LOG.warn("closing the stage failed", e);
            } finally {
                stopped.countDown();
            }
        }, "stream-shutdown"));
        stopped.await();
    }
}
