package dev.streamparrot.tokenize.stream;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.TokenizerActivation;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Follows the release and activation topics in the background: every tokenizer release (by id) and
 * every activation in topic order. The activations are a log, not a table: activating A, then B, then
 * A again are three switches.
 */
public final class ReleaseCatalog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReleaseCatalog.class);

    /** One activation and its offset in the activation topic, which orders activations. */
    public record Entry(long offset, TokenizerActivation activation) {}

    private final Map<String, TokenizerRelease> releases = new ConcurrentHashMap<>();
    private final List<Entry> activations = new CopyOnWriteArrayList<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroSerde<TokenizerRelease> releaseSerde;
    private final AvroSerde<TokenizerActivation> activationSerde;
    private final Thread follower;
    private volatile boolean closed;
    /** Every record written to the two topics before this time (ms) has been read. */
    private volatile long caughtUpTo = -1;

    public ReleaseCatalog(KafkaSettings settings) {
        SchemaRegistryClient registry = new SchemaRegistryClient(settings.schemaRegistryUrl());
        releaseSerde = new AvroSerde<>(TokenizerRelease.class, registry);
        activationSerde = new AvroSerde<>(TokenizerActivation.class, registry);
        consumer = new KafkaConsumer<>(settings.consumer("tokenize-release-catalog"));
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.TOKENIZER_RELEASES.name(), Topics.TOKENIZER_ACTIVATIONS.name())) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        follower = new Thread(this::follow, "release-catalog");
        follower.setDaemon(true);
        follower.start();
    }

    public List<Entry> activations() {
        return List.copyOf(activations);
    }

    /** Waits for a release that its activation names (the two topics are read side by side). */
    public TokenizerRelease awaitRelease(String tokenizerId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!releases.containsKey(tokenizerId)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("tokenizer release " + tokenizerId + " is activated but not in "
                        + Topics.TOKENIZER_RELEASES.name() + " after " + timeout.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
        return releases.get(tokenizerId);
    }

    public void awaitFirstActivation() throws InterruptedException {
        while (activations.isEmpty() && !closed) Thread.sleep(200);
    }

    /**
     * Waits until every activation written before {@code timestamp} has been read. A source file
     * produced after an activation was written is thus always encoded with it; only files produced
     * while the activation was being written may see it late (and {@link ReleaseSchedule} then decides).
     */
    public void awaitCaughtUp(long timestamp) throws InterruptedException {
        long until = Math.min(timestamp, System.currentTimeMillis()); // a producer clock ahead of ours
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (caughtUpTo < until && !closed) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("the release catalog is not following its topics");
            Thread.sleep(10);
        }
    }

    private void follow() {
        try {
            while (!closed) {
                long asOf = System.currentTimeMillis();
                Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
                do {
                    for (var record : consumer.poll(Duration.ofMillis(50))) apply(record);
                } while (!closed && end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue()));
                caughtUpTo = asOf;
            }
        } catch (WakeupException e) {
            if (!closed) throw e;
        } catch (RuntimeException e) {
            LOG.error("the release catalog stopped following its topics", e);
        } finally {
            consumer.close();
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) return;
        if (record.topic().equals(Topics.TOKENIZER_RELEASES.name())) {
            TokenizerRelease release = releaseSerde.deserialize(record.topic(), record.value());
            releases.put(release.getId(), release);
        } else {
            Entry entry = new Entry(record.offset(), activationSerde.deserialize(record.topic(), record.value()));
            activations.add(entry);
            LOG.info("activation at offset {}: {}", entry.offset(), entry.activation());
        }
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
    }
}
