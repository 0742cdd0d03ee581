package dev.streamparrot.packer.stream;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tokenizer releases the packer knows: end-of-text id and vocabulary size of each. A release is
 * published before any file is encoded with it, so an id not seen yet is looked for by reading the
 * (compacted, small) release topic to its end; only a release still missing then is poison.
 */
public final class TokenizerReleases {
    private final KafkaSettings settings;
    private final AvroSerde<TokenizerRelease> serde;
    private final Map<String, TokenizerRelease> known = new ConcurrentHashMap<>();

    public TokenizerReleases(KafkaSettings settings) {
        this.settings = settings;
        this.serde = new AvroSerde<>(TokenizerRelease.class, new SchemaRegistryClient(settings.schemaRegistryUrl()));
    }

    public Optional<TokenizerRelease> find(String tokenizerId) {
        TokenizerRelease release = known.get(tokenizerId);
        if (release == null) {
            readToEnd();
            release = known.get(tokenizerId);
        }
        return Optional.ofNullable(release);
    }

    private synchronized void readToEnd() {
        try (var consumer = new KafkaConsumer<byte[], byte[]>(settings.consumer("packer-release-reader"))) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.TOKENIZER_RELEASES.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("cannot read " + Topics.TOKENIZER_RELEASES.name());
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    TokenizerRelease release = serde.deserialize(record.topic(), record.value());
                    if (release != null) known.put(release.getId(), release);
                }
            }
        }
    }
}
