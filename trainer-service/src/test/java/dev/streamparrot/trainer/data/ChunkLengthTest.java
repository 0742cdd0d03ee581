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
        TopicAdmin.ensure(kafka.bootstrapServers(), List.of(new Topic(topic, 2, "delete", "-", Chunk.class)), (short) 1);
        assertDoesNotThrow(() -> ChunkLength.checkNewest(kafka, topic, SEQ), "an empty topic has nothing to judge");

        AvroSerde<Chunk> serde = new AvroSerde<>(Chunk.class, new SchemaRegistryClient(kafka.schemaRegistryUrl()));
        try (var producer = new KafkaProducer<byte[], byte[]>(kafka.producer("length-test"))) {
            producer.send(new ProducerRecord<>(topic, 0, null, serde.serialize(topic, FakeChunkSource.chunk("tok", new int[SEQ])))).get();
            producer.send(new ProducerRecord<>(topic, 1, null, serde.serialize(topic, FakeChunkSource.chunk("tok", new int[SEQ])))).get();
        }
        assertDoesNotThrow(() -> ChunkLength.checkNewest(kafka, topic, SEQ), "chunks of the trainer's length");

        try (var producer = new KafkaProducer<byte[], byte[]>(kafka.producer("length-test"))) {
            producer.send(new ProducerRecord<>(topic, 1, null, serde.serialize(topic, FakeChunkSource.chunk("tok", new int[4 * SEQ])))).get();
        }
        ChunkLength.Mismatch mismatch = assertThrows(ChunkLength.Mismatch.class, () -> ChunkLength.checkNewest(kafka, topic, SEQ));
        assertNamesBothSettings(mismatch, 4 * SEQ);
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
