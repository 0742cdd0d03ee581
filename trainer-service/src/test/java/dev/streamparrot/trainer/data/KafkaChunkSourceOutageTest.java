package dev.streamparrot.trainer.data;

import dev.streamparrot.kafka.Breakers;
import dev.streamparrot.kafka.DeadLetteringDecoder;
import dev.streamparrot.kafka.DeadLetters;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.OutageGuard;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.DeadLetter;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.testkit.TcpRelay;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trainer's chunk source through a registry outage (the incident: the whole corpus dead-lettered in
 * two minutes): it hands out nothing, stays at its position, dead-letters nothing, and once the registry
 * answers again it reads every chunk.
 */
@ExtendWith(RealCluster.class)
class KafkaChunkSourceOutageTest {
    @Test
    void pausesThroughAnUnreachableRegistryAndResumesByItself() throws Exception {
        RealChunkTopic chunks = RealChunkTopic.create("outage-chunks", 2);
        try (var producer = chunks.producer()) {
            for (int k = 0; k < 20; k++) {
                chunks.send(producer, k % 2, FakeChunkSource.chunk("tok", new int[] {k}));
            }
            try (TcpRelay relay = new TcpRelay(RealCluster.freePort())) { // nothing listens there: the registry is down
                var viaRelay = new SchemaRegistryClient("http://127.0.0.1:" + relay.port() + "/apis/ccompat/v7");
                var decoder = new DeadLetteringDecoder<>(new AvroSerde<>(Chunk.class, viaRelay), new DeadLetters("trainer-test", viaRelay),
                        producer, new OutageGuard(chunks.kafka().bootstrapServers()));
                String breaker = DeadLetteringDecoder.breakerName("trainer-test", chunks.name());
                try (KafkaChunkSource source = new KafkaChunkSource(chunks.name(), chunks.kafka().consumer("outage-g"), decoder)) {
                    source.seek(0, 0);
                    source.seek(1, 0);
                    List<ChunkRecord> read = new ArrayList<>();
                    for (int i = 0; i < 2; i++) read.addAll(source.poll(Set.of(0, 1), Duration.ofMillis(500)));
                    assertEquals(List.of(), read, "nothing handed out while the registry is down");
                    assertTrue(Breakers.open().getOrDefault(breaker, "").contains("unreachable"), Breakers.open().toString());
                    assertEquals(0L, source.position(0));
                    assertEquals(0L, source.position(1));

                    relay.switchTo(URI.create(chunks.kafka().schemaRegistryUrl()).getPort());
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (read.size() < 20 && System.nanoTime() < deadline) read.addAll(source.poll(Set.of(0, 1), Duration.ofMillis(500)));
                    assertEquals(20, read.size());
                    assertEquals(10, read.stream().filter(r -> r.partition() == 0).count());
                    assertFalse(Breakers.isOpen(breaker));
                }
            }
        }
        assertEquals(0, deadLettersAbout(chunks.kafka(), chunks.registry(), chunks.name()), "an outage dead-letters nothing");
    }

    private static long deadLettersAbout(KafkaSettings kafka, SchemaRegistryClient registry, String topic) {
        AvroSerde<DeadLetter> serde = new AvroSerde<>(DeadLetter.class, registry);
        long count = 0;
        try (var consumer = new KafkaConsumer<byte[], byte[]>(kafka.consumer("letters-" + System.nanoTime()))) {
            TopicPartition tp = new TopicPartition(Topics.DEAD_LETTERS.name(), 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (consumer.position(tp) < end) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    if (serde.deserialize(r.topic(), r.value()).getTopic().equals(topic)) count++;
                }
            }
        }
        return count;
    }
}
