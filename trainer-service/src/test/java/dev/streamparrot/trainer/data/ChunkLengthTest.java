package dev.streamparrot.trainer.data;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.topics.Topic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A packer set up for another model (chunk length ≠ the trainer's seq_length) stops the trainer with a message
 * that names both settings, at start and at the first such chunk later, and dead-letters nothing.
 */
@ExtendWith(RealCluster.class)
class ChunkLengthTest {
    static final int SEQ = 4;

    @Test
    void theStartCheckReadsTheNewestChunksOfTheTopic() throws Exception {
        KafkaSettings kafka = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        String topic = "length-chunks-" + System.nanoTime();
        String misconfigured = "length-misconfigured-" + System.nanoTime();
        TopicAdmin.ensure(kafka.bootstrapServers(), List.of(new Topic<>(topic, 2, "delete", "-", Chunk.class),
                new Topic<>(misconfigured, 2, "delete", "-", Chunk.class)), (short) 1);
        assertDoesNotThrow(() -> ChunkLength.checkNewest(kafka, topic, SEQ), "an empty topic has nothing to judge");

        AvroSerde<Chunk> serde = new AvroSerde<>(Chunk.class, new SchemaRegistryClient(kafka.schemaRegistryUrl()));
        try (var producer = new KafkaProducer<byte[], byte[]>(kafka.producer("length-test"))) {
            for (int p = 0; p < 2; p++) send(producer, serde, topic, p, SEQ);
            // one odd chunk beside usable ones is poison for the dataset to dead-letter, not a setting to fix
            send(producer, serde, topic, 1, 3);
            for (int p = 0; p < 2; p++) for (int i = 0; i < 3; i++) send(producer, serde, misconfigured, p, 4 * SEQ);
        }
        assertDoesNotThrow(() -> ChunkLength.checkNewest(kafka, topic, SEQ), "chunks of the trainer's length, and one poison");
        ChunkLength.Mismatch mismatch = assertThrows(ChunkLength.Mismatch.class, () -> ChunkLength.checkNewest(kafka, misconfigured, SEQ));
        assertNamesBothSettings(mismatch, 4 * SEQ);
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, AvroSerde<Chunk> serde, String topic, int partition, int length)
            throws Exception {
        producer.send(new ProducerRecord<>(topic, partition, null, serde.serialize(topic, FakeChunkSource.chunk("tok", new int[length])))).get();
    }

    @Test
    void aChunkOfAnotherLengthStopsTheDatasetAndIsNotDeadLettered() {
        FakeChunkSource source = new FakeChunkSource(1, 3);
        for (int i = 0; i < 10; i++) source.append(0, FakeChunkSource.chunk("tok", new int[2 * SEQ]));
        List<String> deadLettered = new ArrayList<>();
        ChunkDataset ds = new ChunkDataset(source, new ChunkDataset.Settings(2, SEQ, 4, 1, AtEnd.NEW_EPOCH), null, null,
                (r, why) -> deadLettered.add(why));
        // before the check the dataset dead-lettered every chunk and then waited for usable ones for ever
        ChunkLength.Mismatch mismatch = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(ChunkLength.Mismatch.class, ds::nextBatch));
        assertNamesBothSettings(mismatch, 2 * SEQ);
        assertEquals(List.of(), deadLettered);
    }

    private static void assertNamesBothSettings(ChunkLength.Mismatch mismatch, int chunkLength) {
        String message = mismatch.getMessage();
        assertTrue(message.contains("streamparrot.packer.seq-length") && message.contains("streamparrot.trainer.seq-length"), message);
        assertTrue(message.contains(chunkLength + " token ids") && message.contains("sequences of " + SEQ), message);
    }
}
