package dev.streamparrot.trainer.data;

import dev.streamparrot.trainer.checkpoint.CheckpointState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkDatasetTest {
    static final int SEQ = 4;

    /** A log whose chunk k holds ids k, k, k, k (k counts over all partitions), partition sizes as given. */
    static FakeChunkSource log(long fetchSeed, int... sizes) {
        FakeChunkSource source = new FakeChunkSource(sizes.length, fetchSeed);
        int k = 0;
        for (int p = 0; p < sizes.length; p++) {
            for (int i = 0; i < sizes[p]; i++, k++) source.append(p, FakeChunkSource.chunk("tok", ids(k)));
        }
        return source;
    }

    static int[] ids(int k) {
        int[] ids = new int[SEQ];
        Arrays.fill(ids, k);
        return ids;
    }

    static ChunkDataset dataset(ChunkSource source, int batch, int buffer, AtEnd atEnd, DataState resume, Rejects rejects) {
        return new ChunkDataset(source, new ChunkDataset.Settings(batch, SEQ, buffer, 1, atEnd), null, resume, rejects);
    }

    static List<Integer> firstIds(List<int[][]> batches) {
        List<Integer> out = new ArrayList<>();
        batches.forEach(b -> Arrays.stream(b).forEach(row -> out.add(row[0])));
        return out;
    }

    static List<int[][]> take(ChunkDataset ds, int batches) throws InterruptedException {
        List<int[][]> out = new ArrayList<>();
        for (int i = 0; i < batches; i++) out.add(ds.nextBatch());
        return out;
    }

    @Test
    void aStreamedTopicComesOutWholeAndShuffled() throws Exception {
        ChunkDataset ds = dataset(log(7, 7, 13, 0, 20), 4, 10, AtEnd.WAIT, null, (r, why) -> {});
        List<Integer> seen = firstIds(take(ds, 10));
        List<Integer> sorted = new ArrayList<>(seen);
        sorted.sort(null);
        List<Integer> all = new ArrayList<>();
        for (int k = 0; k < 40; k++) all.add(k);
        assertEquals(all, sorted, "every chunk exactly once");
        assertNotEquals(all, seen, "in shuffled order");
    }

    @Test
    void batchesDependOnTheLogNotOnHowFetchesInterleave() throws Exception {
        FakeChunkSource a = log(1, 9, 4, 15, 11);
        List<int[][]> fromA = take(dataset(a, 3, 8, AtEnd.NEW_EPOCH, null, (r, why) -> {}), 40);
        List<int[][]> fromB = take(dataset(a.copy(99), 3, 8, AtEnd.NEW_EPOCH, null, (r, why) -> {}), 40);
        assertEquals(firstIds(fromA), firstIds(fromB));
        // and the seed matters
        List<int[][]> otherSeed = take(new ChunkDataset(a.copy(5), new ChunkDataset.Settings(3, SEQ, 8, 2, AtEnd.NEW_EPOCH),
                null, null, (r, why) -> {}), 40);
        assertNotEquals(firstIds(fromA), firstIds(otherSeed));
    }

    @Test
    void aStateSavedAfterABatchResumesWithTheSameNextBatches(@TempDir Path dir) throws Exception {
        FakeChunkSource source = log(3, 9, 4, 15, 11);
        List<int[][]> uninterrupted = take(dataset(source, 3, 8, AtEnd.NEW_EPOCH, null, (r, why) -> {}), 45);

        ChunkDataset first = dataset(source.copy(11), 3, 8, AtEnd.NEW_EPOCH, null, (r, why) -> {});
        take(first, 20);
        new CheckpointState("run", 20, 1.0, Math.E, Map.of("lr_scheduler_type", "cosine"), first.state()).write(dir);
        DataState restored = (DataState) CheckpointState.read(dir).data();
        assertEquals(first.state().next(), restored.next());
        assertEquals(first.state().buffer().size(), restored.buffer().size());

        ChunkDataset resumed = dataset(source.copy(12), 3, 8, AtEnd.NEW_EPOCH, restored, (r, why) -> {});
        List<int[][]> rest = take(resumed, 25);
        for (int i = 0; i < 25; i++) {
            for (int row = 0; row < 3; row++) assertArrayEquals(uninterrupted.get(20 + i)[row], rest.get(i)[row], "batch " + (20 + i));
        }
        assertTrue(resumed.epoch() >= 2, "the comparison crossed epoch boundaries");
    }

    @Test
    void chunksOfAnotherTokenizerOrLengthOrVocabularyAreRejected() throws Exception {
        FakeChunkSource source = new FakeChunkSource(2, 4);
        source.append(0, FakeChunkSource.chunk("tok", ids(1)));
        source.append(1, FakeChunkSource.chunk("other", ids(2)));
        source.append(0, FakeChunkSource.chunk("tok", new int[] {1, 2, 3}));
        source.append(1, FakeChunkSource.chunk("tok", ids(3)));
        source.append(0, FakeChunkSource.chunk("tok", ids(500)));
        source.append(1, FakeChunkSource.chunk("tok", ids(4)));
        List<String> reasons = new CopyOnWriteArrayList<>();
        ChunkDataset ds = dataset(source, 3, 100, AtEnd.WAIT, null, (r, why) -> reasons.add(r.partition() + "@" + r.offset() + " " + why));
        assertEquals("tok", ds.tokenizerId());
        ds.requireIdsBelow(100);
        Set<Integer> got = new HashSet<>(firstIds(List.<int[][]>of(ds.nextBatch())));
        assertEquals(Set.of(1, 3, 4), got);
        assertEquals(3, reasons.size(), reasons.toString());
        assertTrue(reasons.get(0).startsWith("1@0 chunk of tokenizer other"), reasons.get(0));
        assertTrue(reasons.get(1).startsWith("0@1 chunk of 3 ids, seq_length is 4"), reasons.get(1));
        assertTrue(reasons.get(2).startsWith("0@2 token id 500 outside the vocabulary of 100"), reasons.get(2));
    }

    @Test
    void anUnusableChunkIsRejectedOnceThoughEveryEpochReadsIt() throws Exception {
        FakeChunkSource source = log(8, 3, 3);
        source.append(1, FakeChunkSource.chunk("tok", new int[] {7}));
        List<String> reasons = new CopyOnWriteArrayList<>();
        ChunkDataset ds = dataset(source, 2, 2, AtEnd.NEW_EPOCH, null, (r, why) -> reasons.add(why));
        take(ds, 12);
        assertTrue(ds.epoch() >= 3, "epoch " + ds.epoch());
        assertEquals(List.of("chunk of 1 ids, seq_length is 4"), reasons);
    }

    @Test
    void whenStreamingItWaitsForNewChunks() throws Exception {
        FakeChunkSource source = log(2, 5, 3);
        ChunkDataset ds = dataset(source, 4, 4, AtEnd.WAIT, null, (r, why) -> {});
        Set<Integer> firstTwo = new HashSet<>(firstIds(take(ds, 2)));
        assertEquals(8, firstTwo.size());
        Thread producer = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            for (int k = 100; k < 104; k++) source.append(k % 2, FakeChunkSource.chunk("tok", ids(k)));
        });
        producer.start();
        long t0 = System.nanoTime();
        Set<Integer> third = new HashSet<>(firstIds(take(ds, 1)));
        assertTrue(System.nanoTime() - t0 > 250_000_000L, "waited for the new chunks");
        assertEquals(Set.of(100, 101, 102, 103), third);
        producer.join();
    }

    @Test
    void aTopicSmallerThanTheBufferIsReshuffledEveryEpoch() throws Exception {
        ChunkDataset ds = dataset(log(6, 4, 2), 3, 100, AtEnd.NEW_EPOCH, null, (r, why) -> {});
        List<Integer> seen = firstIds(take(ds, 8));
        assertTrue(seen.stream().allMatch(k -> k >= 0 && k < 6), seen.toString());
        assertEquals(6, ds.state().capacity(), "the buffer took the topic's size");
        assertEquals(6, ds.state().buffer().size());
        assertTrue(ds.epoch() >= 4, "epoch " + ds.epoch());
    }
}
