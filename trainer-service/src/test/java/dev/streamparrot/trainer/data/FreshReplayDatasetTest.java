package dev.streamparrot.trainer.data;

import dev.streamparrot.trainer.checkpoint.CheckpointState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.streamparrot.trainer.data.ChunkDatasetTest.firstIds;
import static dev.streamparrot.trainer.data.ChunkDatasetTest.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fresh/replay dataset on in-memory logs whose chunk k holds ids k, k, k, k. */
class FreshReplayDatasetTest {
    static final int SEQ = ChunkDatasetTest.SEQ;

    static FreshReplayDataset dataset(ChunkSource source, double fresh, FreshReplayState resume, Rejects rejects) {
        return new FreshReplayDataset(source, new FreshReplayDataset.Settings(3, SEQ, fresh, 1), null, resume, rejects);
    }

    static List<int[][]> take(FreshReplayDataset ds, int batches) throws InterruptedException {
        List<int[][]> out = new ArrayList<>();
        for (int i = 0; i < batches; i++) out.add(ds.nextBatch());
        return out;
    }

    /** Appends chunks k = from, from + 1, ... spread over the partitions in turn. */
    static void append(FakeChunkSource source, int from, int n) {
        for (int i = 0; i < n; i++) source.append((from + i) % source.partitions().size(), FakeChunkSource.chunk("tok", ids(from + i)));
    }

    @Test
    void aResumedDatasetContinuesExactlyWithChunksArrivingBetweenRuns(@TempDir Path dir) throws Exception {
        FakeChunkSource log = new FakeChunkSource(3, 1);
        append(log, 0, 12);
        FakeChunkSource whole = log.copy(2);
        FreshReplayDataset uninterrupted = dataset(whole, 0.5, null, (r, why) -> {});
        List<int[][]> expected = take(uninterrupted, 8);
        append(whole, 12, 9); // arrive after batch 8
        expected.addAll(take(uninterrupted, 10));

        FakeChunkSource first = log.copy(3);
        FreshReplayDataset stopped = dataset(first, 0.5, null, (r, why) -> {});
        List<int[][]> got = take(stopped, 8);
        new CheckpointState("run", 8, null, null, Map.of("lr_scheduler_type", "wsd"), stopped.state()).write(dir);
        FakeChunkSource second = log.copy(4);
        append(second, 12, 9); // arrive while the trainer is down
        FreshReplayDataset resumed = dataset(second, 0.5, (FreshReplayState) CheckpointState.read(dir).data(), (r, why) -> {});
        got.addAll(take(resumed, 10));
        assertEquals(firstIds(expected), firstIds(got));

        // 12 chunks at 1.5 fresh per batch take 8 batches; the 9 that arrived then are all trained 6 batches later
        Set<Integer> seen = new HashSet<>(firstIds(expected.subList(0, 14)));
        for (int k = 0; k < 21; k++) assertTrue(seen.contains(k), "chunk " + k + " trained: " + firstIds(expected));
        assertEquals(Map.of(0, 7L, 1, 7L, 2, 7L), resumed.state().frontier());
    }

    @Test
    void batchesDependOnTheLogNotOnHowFetchesInterleave() throws Exception {
        FakeChunkSource log = new FakeChunkSource(4, 1);
        append(log, 0, 30);
        List<Integer> a = firstIds(take(dataset(log.copy(5), 0.5, null, (r, why) -> {}), 25));
        List<Integer> b = firstIds(take(dataset(log.copy(6), 0.5, null, (r, why) -> {}), 25));
        assertEquals(a, b);
        for (int k = 0; k < 30; k++) assertTrue(a.contains(k), "chunk " + k + " trained");
    }

    @Test
    void anUnusableFreshChunkIsRejectedOnceAndNeverReplayed() throws Exception {
        FakeChunkSource log = new FakeChunkSource(2, 1);
        append(log, 0, 6);
        log.append(0, FakeChunkSource.chunk("another-tokenizer", ids(99)));
        append(log, 6, 4);
        List<String> rejected = new ArrayList<>();
        FreshReplayDataset ds = new FreshReplayDataset(log, new FreshReplayDataset.Settings(3, SEQ, 0.5, 1), "tok", null,
                (r, why) -> rejected.add(r.partition() + "/" + r.offset() + ": " + why));
        List<Integer> ids = firstIds(take(ds, 20));
        assertEquals(1, rejected.size(), rejected.toString());
        assertTrue(rejected.get(0).startsWith("0/3: "), rejected.toString());
        assertFalse(ids.contains(99));
        for (int k = 0; k < 10; k++) assertTrue(ids.contains(k), "chunk " + k + " trained");
        assertEquals(Map.of(0, 6L, 1, 5L), ds.state().frontier(), "the frontier passes the rejected chunk");
    }

    @Test
    void chunksPassedOverWhileLookingForTheTokenizerAreJudgedInTheirTurn() throws Exception {
        FakeChunkSource log = new FakeChunkSource(1, 1);
        log.append(0, FakeChunkSource.chunk("tok", new int[] {1, 2, 3})); // the wrong length: unusable
        append(log, 0, 4);
        List<String> rejected = new ArrayList<>();
        FreshReplayDataset ds = new FreshReplayDataset(log, new FreshReplayDataset.Settings(3, SEQ, 0.5, 1), null, null,
                (r, why) -> rejected.add(r.offset() + ": " + why));
        assertEquals("tok", ds.tokenizerId());
        take(ds, 4);
        assertEquals(1, rejected.size(), rejected.toString());
        assertTrue(rejected.get(0).startsWith("0: "), rejected.toString());
        assertEquals(Map.of(0, 5L), ds.state().frontier());
    }
}
