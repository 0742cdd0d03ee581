package dev.streamparrot.tokenize.stream;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kit.TopicSnapshot;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.TokenizerActivation;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Makes a release the current one: writes a {@link TokenizerActivation} that records from which
 * source-files offsets it applies. The first activation applies from the beginning (files ingested
 * before any tokenizer existed waited for one); later ones from the current end offsets, so files
 * already encoded keep their release and the old token-ids stay readable.
 */
public final class TokenizerActivator {
    private final KafkaSettings settings;
    private final SchemaRegistryClient registry;

    public TokenizerActivator(KafkaSettings settings) {
        this.settings = settings;
        this.registry = new SchemaRegistryClient(settings.schemaRegistryUrl());
    }

    public TokenizerActivation activate(String tokenizerId, String activatedBy) {
        if (!releaseExists(tokenizerId)) {
            throw new IllegalArgumentException("no tokenizer release '" + tokenizerId + "' in " + Topics.TOKENIZER_RELEASES.name());
        }
        Map<String, Long> fromOffsets = new HashMap<>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(settings.consumer("tokenizer-activator"))) {
            TopicPartition activations = new TopicPartition(Topics.TOKENIZER_ACTIVATIONS.name(), 0);
            boolean first = consumer.endOffsets(List.of(activations)).get(activations) == 0;
            List<TopicPartition> sources = consumer.partitionsFor(Topics.SOURCE_FILES.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            Map<TopicPartition, Long> offsets = first ? consumer.beginningOffsets(sources) : consumer.endOffsets(sources);
            offsets.forEach((tp, offset) -> fromOffsets.put(String.valueOf(tp.partition()), offset));
        }
        TokenizerActivation activation = new TokenizerActivation(tokenizerId, fromOffsets, activatedBy, Instant.now());
        AvroSerde<TokenizerActivation> serde = new AvroSerde<>(TokenizerActivation.class, registry);
        try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("tokenizer-activator"))) {
            producer.send(new ProducerRecord<>(Topics.TOKENIZER_ACTIVATIONS.name(), tokenizerId.getBytes(StandardCharsets.UTF_8),
                    serde.serialize(Topics.TOKENIZER_ACTIVATIONS.name(), activation))).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot write the activation: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while activating", e);
        }
        return activation;
    }

    private boolean releaseExists(String tokenizerId) {
        AvroSerde<TokenizerRelease> serde = new AvroSerde<>(TokenizerRelease.class, registry);
        AtomicBoolean found = new AtomicBoolean();
        TopicSnapshot.read(settings, "tokenizer-activator", List.of(Topics.TOKENIZER_RELEASES.name()), TopicSnapshot.decoding(serde),
                (record, release) -> {
                    if (release != null && release.getId().equals(tokenizerId)) found.set(true);
                }, found::get);
        return found.get();
    }
}
