package dev.streamparrot.trainer.data;

import dev.streamparrot.schemas.ChunkCheck;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The endless training dataset: chunks from a partitioned log, through a seeded shuffle buffer, in batches.
 *
 * <p>Two things make the batch sequence a function of the log's contents alone (not of how fetches happen
 * to interleave), which is what exact resumption needs:
 * <ul>
 *   <li>Partitions are merged round-robin, one record at a time, up to a snapshot of the end offsets. A
 *       partition is skipped only once it provably has nothing left below its snapshot end; the snapshot
 *       is renewed only when every partition has reached it.</li>
 *   <li>The shuffle buffer works like HF datasets' {@code IterableDataset.shuffle}: fill it, then for each
 *       incoming chunk pick a random slot, hand out its chunk and put the new one there. The generator's
 *       state is one long ({@link SplitMix64}).</li>
 * </ul>
 * {@link #state()} after a batch holds the merge position, snapshot, generator and buffer contents.
 *
 * <p>At the end of the log the dataset either starts a new epoch or waits for new chunks ({@link AtEnd}),
 * drawing from what the buffer still holds while it waits. When a first epoch ends before the buffer is
 * full, the buffer keeps that size: it then holds the whole topic, reshuffled every epoch.
 *
 * <p>Chunks of another tokenizer, of the wrong length, or with ids outside the vocabulary go to {@link Rejects},
 * once per process: later epochs skip them quietly.
 */
public final class ChunkDataset extends JudgedData {
    /** A partition with this many fetched records waiting is not fetched further until the merge catches up. */
    private static final int MAX_PENDING = 2000;

    public record Settings(int batchSize, int seqLength, int shuffleBuffer, long seed, AtEnd atEnd) {
        public Settings {
            if (batchSize <= 0 || seqLength <= 0 || shuffleBuffer <= 0) {
                throw new IllegalArgumentException("batch size, sequence length and shuffle buffer must be positive");
            }
        }
    }

    private final Settings settings;
    /** Whether a chunk of the right length has been read: from then on a chunk of another length is poison. */
    private boolean sawUsable;
    private final List<Integer> partitions;
    private final Map<Integer, ArrayDeque<ChunkRecord>> pending = new TreeMap<>();

    private long epoch;
    private long samplesThisEpoch;
    private int cursor;
    private final SplitMix64 rng;
    private int capacity;
    private final Map<Integer, Long> next = new TreeMap<>();
    private Map<Integer, Long> ends;
    private final ArrayList<Sample> buffer = new ArrayList<>();
    private Sample peeked; // read ahead by tokenizerId(), handed out first
    private ChunkRecord peekedRecord;
    private ChunkRecord lastTaken;

    /**
     * @param tokenizerId the tokenizer to train on, or null to adopt the first valid chunk's
     * @param resumeFrom  a state taken from an earlier run, or null to start at the beginning of the log
     */
    public ChunkDataset(ChunkSource source, Settings settings, String tokenizerId, DataState resumeFrom, Rejects rejects) {
        super(source, settings.seqLength(), tokenizerId, resumeFrom, rejects);
        this.settings = settings;
        this.partitions = List.copyOf(source.partitions());
        partitions.forEach(p -> pending.put(p, new ArrayDeque<>()));
        if (resumeFrom == null) {
            this.rng = new SplitMix64(settings.seed());
            this.capacity = settings.shuffleBuffer();
            next.putAll(source.beginningOffsets());
            ends = new TreeMap<>(source.endOffsets());
        } else {
            this.epoch = resumeFrom.epoch();
            this.samplesThisEpoch = resumeFrom.samplesThisEpoch();
            this.cursor = resumeFrom.cursor();
            this.rng = new SplitMix64(resumeFrom.rng());
            this.capacity = resumeFrom.capacity();
            next.putAll(resumeFrom.next());
            ends = new TreeMap<>(resumeFrom.ends());
            buffer.addAll(resumeFrom.buffer());
        }
        next.forEach(source::seek);
    }

    /** The tokenizer this dataset trains on; waits for the first valid chunk when it was not given. */
    @Override
    public String tokenizerId() throws InterruptedException {
        while (judge.tokenizerId() == null) {
            if (peeked == null) peeked = readLog();
            if (peeked == null) pause();
            else peekedRecord = lastTaken;
        }
        return judge.tokenizerId();
    }

    /** The next batch_size sequences; waits while the log has nothing to give. */
    @Override
    public int[][] nextBatch() throws InterruptedException {
        int[][] batch = new int[settings.batchSize()][];
        for (int i = 0; i < batch.length; i++) batch[i] = nextSample().ids();
        return batch;
    }

    /** The state after the last batch; see {@link DataState}. */
    @Override
    public DataState state() {
        if (peeked != null) throw new IllegalStateException("state is defined between batches only");
        return new DataState(judge.tokenizerId(), epoch, samplesThisEpoch, cursor, rng.state(), capacity,
                Map.copyOf(next), Map.copyOf(ends), List.copyOf(buffer));
    }

    public long epoch() {
        return epoch;
    }

    private Sample nextSample() throws InterruptedException {
        while (true) {
            Sample incoming = take();
            if (incoming == null) {
                if (settings.atEnd() == AtEnd.NEW_EPOCH && samplesThisEpoch > 0) {
                    if (epoch == 0 && buffer.size() < capacity && !buffer.isEmpty()) capacity = buffer.size();
                    startEpoch();
                    continue;
                }
                if (!buffer.isEmpty()) return removeRandom();
                pause();
                continue;
            }
            if (buffer.size() < capacity) {
                buffer.add(incoming);
                continue;
            }
            int slot = rng.nextInt(buffer.size());
            Sample out = buffer.get(slot);
            buffer.set(slot, incoming);
            return out;
        }
    }

    private Sample take() throws InterruptedException {
        Sample s = peeked;
        peeked = null;
        if (s != null) {
            // peeked before the vocabulary was known: check it again against it
            if (!judge.rejudge(peekedRecord).usable()) s = null;
        }
        return s != null ? s : readLog();
    }

    private Sample removeRandom() {
        int slot = rng.nextInt(buffer.size());
        Sample out = buffer.get(slot);
        buffer.set(slot, buffer.get(buffer.size() - 1));
        buffer.remove(buffer.size() - 1);
        return out;
    }

    private void startEpoch() {
        epoch++;
        samplesThisEpoch = 0;
        cursor = 0;
        pending.values().forEach(ArrayDeque::clear);
        next.clear();
        next.putAll(source.beginningOffsets());
        next.forEach(source::seek);
        ends = new TreeMap<>(source.endOffsets());
    }

    /**
     * The next valid chunk in merge order, or null when every partition is read up to its end and a fresh
     * look at the end offsets shows nothing new.
     */
    private Sample readLog() throws InterruptedException {
        while (true) {
            boolean undecided = false;
            for (int k = 0; k < partitions.size() && !undecided; k++) {
                int index = (cursor + k) % partitions.size();
                int p = partitions.get(index);
                ChunkRecord head = pending.get(p).peek();
                long end = ends.getOrDefault(p, 0L);
                if (head == null && source.position(p) < end) {
                    undecided = true; // records below the end are still to be fetched
                } else if (head != null && head.offset() < end) {
                    pending.get(p).remove();
                    cursor = (index + 1) % partitions.size();
                    next.put(p, head.offset() + 1);
                    lastTaken = head;
                    Sample s = check(head);
                    if (s != null) {
                        samplesThisEpoch++;
                        return s;
                    }
                    k = -1; // rejected: search again from the new cursor
                }
            }
            if (undecided) {
                fetch();
                continue;
            }
            Map<Integer, Long> fresh = source.endOffsets();
            boolean grew = partitions.stream().anyMatch(p -> fresh.getOrDefault(p, 0L) > ends.getOrDefault(p, 0L));
            if (!grew) return null;
            ends = new TreeMap<>(fresh);
        }
    }

    private void fetch() throws InterruptedException {
        if (Thread.interrupted()) throw new InterruptedException();
        Set<Integer> wanted = new HashSet<>();
        pending.forEach((p, q) -> { if (q.size() < MAX_PENDING) wanted.add(p); });
        for (ChunkRecord r : source.poll(wanted, POLL)) {
            // records behind the merge position arrive after a seek raced a fetch; they were taken already
            if (r.offset() >= next.getOrDefault(r.partition(), 0L)) pending.get(r.partition()).add(r);
        }
    }

    /** The record's sample, or null when it is unusable (rejected the first time it is read). */
    private Sample check(ChunkRecord r) {
        // Before any usable chunk, one that unpacks to another length was cut by a packer set up for another
        // model: stop with both settings named rather than dead-letter every chunk. Among usable ones it is poison.
        if (!sawUsable && !judge.check(r.chunk()).usable()) {
            ChunkLength.of(r.chunk()).ifPresent(length -> {
                if (length != settings.seqLength()) throw new ChunkLength.Mismatch(length, settings.seqLength());
            });
        }
        ChunkCheck.Result checked = judge.judge(r);
        if (!checked.usable()) return null;
        sawUsable = true;
        return new Sample(r.partition(), r.offset(), checked.ids());
    }
}
