package dev.streamparrot.trainer.data;

import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.Split;
import dev.streamparrot.schemas.TokenEncoding;
import dev.streamparrot.schemas.TokenIds;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * An in-memory partitioned log that hands out records in random-sized fetches, partitions in random
 * order, as a Kafka consumer may: the dataset must not depend on that.
 */
public final class FakeChunkSource implements ChunkSource {
    private final Map<Integer, List<Chunk>> log = new TreeMap<>();
    private final Map<Integer, Long> position = new TreeMap<>();
    private final Random fetches;

    public FakeChunkSource(int partitions, long fetchSeed) {
        for (int p = 0; p < partitions; p++) {
            log.put(p, Collections.synchronizedList(new ArrayList<>()));
            position.put(p, 0L);
        }
        this.fetches = new Random(fetchSeed);
    }

    /** A copy of another source's log with its own fetch pattern. */
    public FakeChunkSource copy(long fetchSeed) {
        FakeChunkSource c = new FakeChunkSource(log.size(), fetchSeed);
        log.forEach((p, records) -> records.forEach(r -> c.append(p, r)));
        return c;
    }

    public void append(int partition, Chunk chunk) {
        log.get(partition).add(chunk);
    }

    /** The chunk at this offset of this partition. */
    public Chunk chunkAt(int partition, long offset) {
        return log.get(partition).get((int) offset);
    }

    public static Chunk chunk(String tokenizer, int[] ids) {
        return new Chunk(0L, 0, tokenizer, Split.TRAIN, TokenEncoding.UINT16_LE, TokenIds.pack(ids, TokenEncoding.UINT16_LE), List.of());
    }

    @Override
    public List<Integer> partitions() {
        return List.copyOf(log.keySet());
    }

    @Override
    public Map<Integer, Long> beginningOffsets() {
        Map<Integer, Long> m = new TreeMap<>();
        log.keySet().forEach(p -> m.put(p, 0L));
        return m;
    }

    @Override
    public synchronized Map<Integer, Long> endOffsets() {
        Map<Integer, Long> m = new TreeMap<>();
        log.forEach((p, r) -> m.put(p, (long) r.size()));
        return m;
    }

    @Override
    public synchronized void seek(int partition, long offset) {
        position.put(partition, offset);
    }

    @Override
    public synchronized long position(int partition) {
        return position.get(partition);
    }

    @Override
    public synchronized List<ChunkRecord> poll(Set<Integer> wanted, Duration timeout) {
        List<Integer> order = new ArrayList<>(wanted);
        Collections.shuffle(order, fetches);
        List<ChunkRecord> out = new ArrayList<>();
        for (int p : order) {
            List<Chunk> records = log.get(p);
            int n = fetches.nextInt(4);
            for (int i = 0; i < n && position.get(p) < records.size(); i++) {
                long offset = position.get(p);
                out.add(new ChunkRecord(p, offset, records.get((int) offset)));
                position.put(p, offset + 1);
            }
        }
        return out;
    }

    @Override
    public void close() {}
}
