package dev.streamparrot.kit;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.SchemaOutageException;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.ReplayMarker;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.topics.Topic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading side topics to their end and following them, against the real broker and registry. */
@ExtendWith(RealCluster.class)
class TopicSnapshotTest {
    private static KafkaSettings settings;
    private static AvroSerde<ReplayMarker> serde;

    @BeforeAll
    static void connect() {
        settings = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        serde = new AvroSerde<>(ReplayMarker.class, new SchemaRegistryClient(RealCluster.registryUrl()));
    }

    private static String topic(String name, int partitions) {
        TopicAdmin.ensure(settings.bootstrapServers(), List.of(new Topic<>(name, partitions, "compact", "test", ReplayMarker.class)), (short) 1);
        return name;
    }

    private static ReplayMarker marker(long offset) {
        return new ReplayMarker(0, offset, "t", 0, offset, "why", "test", Instant.ofEpochMilli(1_000));
    }

    private static void send(String topic, int partition, String key, ReplayMarker value) throws Exception {
        try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("test"))) {
            producer.send(new ProducerRecord<>(topic, partition, key.getBytes(StandardCharsets.UTF_8),
                    value == null ? null : serde.serialize(topic, value))).get();
        }
    }

    @Test
    void latestByKeyKeepsTheLastValueAndForgetsTombstonedKeys() throws Exception {
        String topic = topic("snapshot-table", 2);
        send(topic, 0, "a", marker(1));
        send(topic, 1, "b", marker(2));
        send(topic, 0, "a", marker(3));
        send(topic, 1, "c", marker(4));
        send(topic, 1, "c", null);
        Map<String, ReplayMarker> latest = TopicSnapshot.latestByKey(settings, "test-table", topic, TopicSnapshot.decoding(serde));
        assertEquals(Set.of("a", "b"), latest.keySet());
        assertEquals(3, latest.get("a").getOffset());
        assertEquals(2, latest.get("b").getOffset());
    }

    @Test
    void readStopsWhenEnoughAndReadsEveryPartitionOtherwise() throws Exception {
        String topic = topic("snapshot-log", 3);
        for (int i = 0; i < 9; i++) send(topic, i % 3, "k" + i, marker(i));
        List<Long> all = new ArrayList<>();
        TopicSnapshot.read(settings, "test-log", List.of(topic), TopicSnapshot.decoding(serde), (r, v) -> all.add(v.getOffset()));
        Collections.sort(all);
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), all);

        List<Long> some = new ArrayList<>();
        TopicSnapshot.read(settings, "test-log", List.of(topic), TopicSnapshot.decoding(serde), (r, v) -> some.add(v.getOffset()),
                () -> some.size() >= 4);
        assertEquals(4, some.size(), some.toString());
    }

    @Test
    void anOutageSkipsNothingTheRecordIsReadAgainAfterTheBackoff() throws Exception {
        String topic = topic("snapshot-outage", 2);
        for (int i = 0; i < 6; i++) send(topic, i % 2, "k" + i, marker(i));
        AtomicInteger outages = new AtomicInteger();
        TopicSnapshot.Decoder<ReplayMarker> flaky = record -> {
            // the registry is "down" the first two times anyone asks for the record with value offset 2
            ReplayMarker m = serde.deserialize(record.topic(), record.value());
            if (m.getOffset() == 2 && outages.getAndIncrement() < 2) {
                throw new SchemaOutageException(record.topic(), record.partition(), record.offset(), Duration.ofMillis(20),
                        new IllegalStateException("registry unreachable"));
            }
            return Optional.of(m);
        };
        List<Long> seen = new ArrayList<>();
        TopicSnapshot.read(settings, "test-outage", List.of(topic), flaky, (r, v) -> seen.add(v.getOffset()));
        assertEquals(3, outages.get(), "two outages, then the record decoded");
        List<Long> sorted = new ArrayList<>(seen);
        Collections.sort(sorted);
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), sorted, "each record exactly once: " + seen);
        // within a partition, in offset order
        assertTrue(seen.indexOf(0L) < seen.indexOf(2L) && seen.indexOf(2L) < seen.indexOf(4L), seen.toString());
    }

    @Test
    void aFollowerSeesRecordsWrittenAfterItStartedAndTombstonesAsNull() throws Exception {
        String topic = topic("snapshot-follow", 1);
        send(topic, 0, "before", marker(1));
        Set<String> keys = Collections.synchronizedSet(new HashSet<>());
        try (TopicSnapshot follower = TopicSnapshot.follow(settings, "test-follow", List.of(topic), TopicSnapshot.decoding(serde),
                (r, v) -> {
                    String key = new String(r.key(), StandardCharsets.UTF_8);
                    if (v == null) keys.remove(key);
                    else keys.add(key);
                })) {
            follower.awaitCaughtUp(System.currentTimeMillis(), Duration.ofSeconds(30));
            assertEquals(Set.of("before"), keys);
            send(topic, 0, "after", marker(2));
            send(topic, 0, "before", null);
            follower.awaitCaughtUp(System.currentTimeMillis(), Duration.ofSeconds(30));
            assertEquals(Set.of("after"), keys);
        }
    }

    @Test
    void aFollowerThatCannotDecodeSaysSoInsteadOfWaitingOutTheTimeout() throws Exception {
        String topic = topic("snapshot-poison", 1);
        send(topic, 0, "k", marker(1));
        try (TopicSnapshot follower = TopicSnapshot.follow(settings, "test-poison", List.of(topic),
                r -> { throw new IllegalArgumentException("not Avro"); }, (r, v) -> {})) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> follower.awaitCaughtUp(System.currentTimeMillis(), Duration.ofSeconds(60)));
            assertTrue(e.getMessage().contains("stopped following"), e.getMessage());
        }
    }
}
