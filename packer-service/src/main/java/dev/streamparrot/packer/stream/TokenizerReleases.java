package dev.streamparrot.packer.stream;

import dev.streamparrot.kafka.DeadLetteringDecoder;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.OutageGuard;
import dev.streamparrot.kit.TopicSnapshot;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.topics.Topics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tokenizer releases the packer knows: end-of-text id and vocabulary size of each, from the
 * (compacted, small) release topic, followed in the background from before the stream threads start. A
 * release is published before any file is encoded with it, so an id not seen yet is looked for again once
 * the follower has read every release written until now; only a release still missing then is poison.
 *
 * <p>Why not a GlobalKTable: a global store cannot say it has read "until now" (the wait above), and its records
 * go through the stage's deserialization handler on the global thread, where an outage cannot pause and retry (a
 * failed global thread stops the whole instance, it is never replaced). This follower, a {@link TopicSnapshot} on
 * its own thread, pauses on an outage and skips nothing; stream threads only look up its map.
 */
public final class TokenizerReleases implements AutoCloseable {
    private static final Duration CATCH_UP = Duration.ofSeconds(30);
    private final Map<String, TokenizerRelease> known = new ConcurrentHashMap<>();
    private final TopicSnapshot follower;

    public TokenizerReleases(KafkaSettings settings) {
        String topic = Topics.TOKENIZER_RELEASES.name();
        AvroSerde<TokenizerRelease> serde = new AvroSerde<>(TokenizerRelease.class, new SchemaRegistryClient(settings.schemaRegistryUrl()));
        // tokenize owns the topic and dead-letters its poison; a registry outage pauses the follower instead
        this.follower = TopicSnapshot.follow(settings, "packer-release-reader", List.of(topic),
                TopicSnapshot.skippingPoison(serde, new OutageGuard(settings.bootstrapServers()),
                        DeadLetteringDecoder.breakerName("packer", topic)),
                (record, release) -> {
                    if (release != null) known.put(release.getId(), release);
                });
    }

    public Optional<TokenizerRelease> find(String tokenizerId) {
        TokenizerRelease release = known.get(tokenizerId);
        if (release == null) {
            try {
                follower.awaitCaughtUp(System.currentTimeMillis(), CATCH_UP);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading " + Topics.TOKENIZER_RELEASES.name(), e);
            }
            release = known.get(tokenizerId);
        }
        return Optional.ofNullable(release);
    }

    @Override
    public void close() {
        follower.close();
    }
}
