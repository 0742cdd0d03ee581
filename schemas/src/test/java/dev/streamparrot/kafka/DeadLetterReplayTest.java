package dev.streamparrot.kafka;

import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.ReplayMarker;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.topics.Topic;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dead letters left by a registry fault are re-published after the fix, exactly once, and marked. */
@ExtendWith(RealCluster.class)
class DeadLetterReplayTest {
    @Test
    void lettersFromARegistryFaultAreReplayedOnceAndAnAbortedReplayLeavesNothing() throws Exception {
        KafkaSettings settings = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        Topic<SourceFile> input = new Topic<>("replay-in", 1, "delete", "-", SourceFile.class);
        Topic<SourceFile> neighbour = new Topic<>("replay-other", 1, "delete", "-", SourceFile.class);
        TopicAdmin.ensure(settings.bootstrapServers(), List.of(Topics.DEAD_LETTERS, input, neighbour), (short) 1);
        String topic = input.name(), other = neighbour.name();
        SchemaRegistryClient registry = new SchemaRegistryClient(settings.schemaRegistryUrl());
        AvroSerde<SourceFile> serde = Topic.avro(input, registry);
        List<SourceFile> written = new ArrayList<>();
        Instant before = Instant.now();
        try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("replay-test"))) {
            for (int i = 0; i < 12; i++) {
                SourceFile file = new SourceFile("repo", null, "r" + i + ".py", "MIT", 5L, "h" + i, "x = " + i, 1);
                producer.send(new ProducerRecord<>(topic, ("k" + i).getBytes(StandardCharsets.UTF_8), serde.serialize(topic, file))).get();
                written.add(file);
            }
            producer.send(new ProducerRecord<>(other, new byte[] {1, 2, 3})).get();
            // The fault, as the code before the breaker handled it: a consumer whose registry did not answer
            // dead-lettered every record it read.
            AvroSerde<SourceFile> deadRegistry = Topic.avro(input,
                    new SchemaRegistryClient("http://127.0.0.1:" + RealCluster.freePort() + "/apis/ccompat/v7"));
            DeadLetters deadLetters = new DeadLetters("replay-test", registry);
            for (String t : List.of(topic, other)) {
                for (ConsumerRecord<byte[], byte[]> r : RegistryOutageTest.committed(settings, t)) {
                    try {
                        deadRegistry.deserialize(t, r.value());
                    } catch (RuntimeException e) {
                        producer.send(deadLetters.record(r, DeadLetters.describe(e))).get();
                    }
                }
            }
        }
        Instant after = Instant.now();
        DeadLetterReplay.Filter filter = new DeadLetterReplay.Filter(topic, before, after, "unreachable");

        DeadLetterReplay.Result dry = new DeadLetterReplay(settings, "test").run(filter, true);
        assertEquals(12, dry.replayed().size());
        assertEquals(12, RegistryOutageTest.committed(settings, topic).size(), "a dry run writes nothing");

        DeadLetterReplay failing = new DeadLetterReplay(settings, "test", batch -> {
            throw new IllegalStateException("killed mid-transaction");
        });
        assertThrows(IllegalStateException.class, () -> failing.run(filter, false));
        assertEquals(12, RegistryOutageTest.committed(settings, topic).size(), "the aborted replay left nothing in the topic");
        assertEquals(12, new DeadLetterReplay(settings, "test").run(filter, true).replayed().size(), "and no marker");

        DeadLetterReplay.Result replay = new DeadLetterReplay(settings, "test").run(filter, false);
        assertEquals(12, replay.replayed().size());
        List<ConsumerRecord<byte[], byte[]>> all = RegistryOutageTest.committed(settings, topic);
        List<ConsumerRecord<byte[], byte[]>> replayed = all.subList(12, all.size());
        assertEquals(12, replayed.size());
        List<SourceFile> decoded = new ArrayList<>();
        try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("replay-check"))) {
            var decoder = new DeadLetteringDecoder<>(serde, new DeadLetters("replay-test", registry), producer,
                    new OutageGuard(settings.bootstrapServers()));
            for (ConsumerRecord<byte[], byte[]> r : replayed) decoder.decode(r).ifPresent(decoded::add);
        }
        assertEquals(written, decoded, "the fixed consumer decodes every replayed record");
        assertEquals("k0", new String(replayed.get(0).key(), StandardCharsets.UTF_8));
        String from = new String(replayed.get(0).headers().lastHeader(DeadLetterReplay.REPLAYED_FROM_HEADER).value(), StandardCharsets.UTF_8);
        assertEquals(replay.replayed().get(0).key(), from);

        AvroSerde<ReplayMarker> markers = new AvroSerde<>(ReplayMarker.class, registry);
        Optional<ReplayMarker> marker = RegistryOutageTest.committed(settings, Topics.DEAD_LETTER_REPLAYS.name()).stream()
                .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals(from))
                .map(r -> markers.deserialize(r.topic(), r.value())).findFirst();
        assertTrue(marker.isPresent());
        assertEquals(replayed.get(0).offset(), marker.get().getOffset());
        assertEquals(topic, marker.get().getTopic());
        assertTrue(marker.get().getReason().contains("unreachable"), marker.get().getReason());

        DeadLetterReplay.Result again = new DeadLetterReplay(settings, "test").run(filter, false);
        assertEquals(0, again.replayed().size(), "nothing is replayed twice");
        assertEquals(12, again.alreadyReplayed());
        assertEquals(24, RegistryOutageTest.committed(settings, topic).size());
        assertEquals(1, new DeadLetterReplay(settings, "test").run(new DeadLetterReplay.Filter(other, null, null, null), true)
                .replayed().size(), "the other topic's letter was left alone");
    }
}
