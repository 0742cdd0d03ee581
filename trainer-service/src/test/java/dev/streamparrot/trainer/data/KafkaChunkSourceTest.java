package dev.streamparrot.trainer.data;

import dev.streamparrot.kafka.DeadLetteringDecoder;
import dev.streamparrot.kafka.DeadLetters;
import dev.streamparrot.kafka.OutageGuard;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.testkit.RealCluster;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dataset over a real topic: a fresh consumer resumed from a saved state yields the uninterrupted batches. */
@ExtendWith(RealCluster.class)
class KafkaChunkSourceTest {
    @Test
    void aNewConsumerResumedFromTheStateContinuesWithTheSameBatches() throws Exception {
        RealChunkTopic chunks = RealChunkTopic.create("resume-chunks", 3);
        try (var producer = chunks.producer()) {
            for (int k = 0; k < 70; k++) {
                int[] ids = new int[4];
                Arrays.fill(ids, k);
                // uneven partitions, and a poison record in the middle of partition 1
                int p = k % 7 < 4 ? 0 : k % 7 < 6 ? 1 : 2;
                chunks.send(producer, p, FakeChunkSource.chunk("tok", ids));
                if (k == 33) {
                    producer.send(new ProducerRecord<>(chunks.name(), 1, null, "poison".getBytes(StandardCharsets.UTF_8))).get();
                }
            }
            DeadLetteringDecoder<Chunk> decoder = new DeadLetteringDecoder<>(chunks.serde(),
                    new DeadLetters("trainer-test", chunks.registry()), producer, new OutageGuard(chunks.kafka().bootstrapServers()));
            ChunkDataset.Settings settings = new ChunkDataset.Settings(3, 4, 10, 7, AtEnd.NEW_EPOCH);

            List<int[][]> uninterrupted = new ArrayList<>();
            try (ChunkSource source = new KafkaChunkSource(chunks.name(), chunks.kafka().consumer("g1"), decoder)) {
                ChunkDataset ds = new ChunkDataset(source, settings, null, null, (r, why) -> {});
                for (int i = 0; i < 60; i++) uninterrupted.add(ds.nextBatch());
                assertTrue(ds.epoch() >= 2, "crossed epochs: " + ds.epoch());
            }
            DataState saved;
            try (ChunkSource source = new KafkaChunkSource(chunks.name(), chunks.kafka().consumer("g2"), decoder)) {
                ChunkDataset ds = new ChunkDataset(source, settings, null, null, (r, why) -> {});
                for (int i = 0; i < 25; i++) assertArrayEquals(uninterrupted.get(i), ds.nextBatch(), "batch " + i);
                saved = ds.state();
                source.commit(saved.next());
            }
            try (ChunkSource source = new KafkaChunkSource(chunks.name(), chunks.kafka().consumer("g2"), decoder)) {
                ChunkDataset ds = new ChunkDataset(source, settings, null, saved, (r, why) -> {});
                for (int i = 25; i < 60; i++) {
                    int[][] batch = ds.nextBatch();
                    for (int row = 0; row < 3; row++) assertArrayEquals(uninterrupted.get(i)[row], batch[row], "batch " + i);
                }
            }
        }
    }
}
