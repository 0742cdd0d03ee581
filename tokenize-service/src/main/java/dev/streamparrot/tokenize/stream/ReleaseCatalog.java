package dev.streamparrot.tokenize.stream;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kit.TopicSnapshot;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.TokenizerActivation;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
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
    private final AvroSerde<TokenizerRelease> releaseSerde;
    private final AvroSerde<TokenizerActivation> activationSerde;
    private final TopicSnapshot topics;
    private volatile boolean closed;

    public ReleaseCatalog(KafkaSettings settings) {
        SchemaRegistryClient registry = new SchemaRegistryClient(settings.schemaRegistryUrl());
        releaseSerde = new AvroSerde<>(TokenizerRelease.class, registry);
        activationSerde = new AvroSerde<>(TokenizerActivation.class, registry);
        topics = TopicSnapshot.follow(settings, "release-catalog",
                List.of(Topics.TOKENIZER_RELEASES.name(), Topics.TOKENIZER_ACTIVATIONS.name()), TopicSnapshot.raw(), this::apply);
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
        topics.awaitCaughtUp(timestamp, Duration.ofSeconds(60));
    }

    /** Decodes here, not in the snapshot: the two topics hold two record types. */
    private void apply(ConsumerRecord<byte[], byte[]> record, byte[] value) {
        if (value == null) return;
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
        topics.close();
    }
}
