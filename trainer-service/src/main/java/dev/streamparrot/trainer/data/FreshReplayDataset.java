package dev.streamparrot.trainer.data;

import dev.streamparrot.schemas.ChunkCheck;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The endless dataset that follows the head of the chunk topic: {@link FreshReplayMix} decides each sample
 * (a chunk never trained, in log order, or a replay of trained history), this class reads it from the
 * {@link ChunkSource}. The heads are looked at once per batch (and again while waiting), so the batches are a
 * function of the saved state, the seed and the log's contents at those moments: a resumed run yields the
 * batches an uninterrupted one yields when the same chunks have arrived by then.
 *
 * <p>A fresh chunk that cannot be used (other tokenizer, wrong length, ids beyond the vocabulary) is
 * rejected once per process and passed: the frontier moves over it. A replay pick that lands on one is
 * drawn again.
 */
public final class FreshReplayDataset extends JudgedData {
    /** Replay picks in a row that found no usable chunk before the history counts as holding none. */
    private static final int REPLAY_MISSES = 64;

    /** @param freshFraction share of the samples taken fresh from the head, in (0, 1] */
    public record Settings(int batchSize, int seqLength, double freshFraction, long seed) {
        public Settings {
            if (batchSize <= 0 || seqLength <= 0) throw new IllegalArgumentException("batch size and sequence length must be positive");
        }
    }

    private final Settings settings;
    private final FreshReplayMix mix;
    private final Map<Integer, ArrayDeque<ChunkRecord>> ahead = new TreeMap<>(); // per partition: fetched from the frontier on
    private FreshReplayMix.State state;

    /**
     * @param tokenizerId the tokenizer to train on, or null to adopt the first usable fresh chunk's
     * @param resumeFrom  a state taken from an earlier run, or null to start at the beginning of the log
     */
    public FreshReplayDataset(ChunkSource source, Settings settings, String tokenizerId, FreshReplayState resumeFrom, Rejects rejects) {
        super(source, settings.seqLength(), tokenizerId, resumeFrom, rejects);
        this.settings = settings;
        this.mix = new FreshReplayMix(source.partitions(), settings.freshFraction());
        source.partitions().forEach(p -> ahead.put(p, new ArrayDeque<>()));
        if (resumeFrom == null) {
            this.state = mix.start(settings.seed(), source.beginningOffsets());
        } else {
            this.state = resumeFrom.mix();
        }
    }

    @Override
    public String tokenizerId() throws InterruptedException {
        // looks ahead without training anything; the picks read these chunks again from the frontier, so the
        // unusable ones passed over here are judged (and dead-lettered) in their turn
        while (judge.tokenizerId() == null) {
            for (int p : source.partitions()) {
                long head = source.endOffsets().getOrDefault(p, 0L);
                for (long at = state.frontier().get(p); judge.tokenizerId() == null && at < head; ) {
                    ChunkRecord r = readFresh(p, at, head);
                    if (r == null) break;
                    judge.adoptTokenizerOf(r.chunk());
                    at = r.offset() + 1;
                }
                ahead.get(p).clear();
                if (judge.tokenizerId() != null) break;
            }
            if (judge.tokenizerId() == null) pause();
        }
        return judge.tokenizerId();
    }

    @Override
    public int[][] nextBatch() throws InterruptedException {
        Map<Integer, Long> beginnings = source.beginningOffsets(), heads = source.endOffsets();
        int[][] batch = new int[settings.batchSize()][];
        int misses = 0;
        for (int i = 0; i < batch.length; ) {
            FreshReplayMix.Next next = mix.next(state, beginnings, heads, misses < REPLAY_MISSES);
            if (next == null) {
                pause();
                beginnings = source.beginningOffsets();
                heads = source.endOffsets();
                misses = 0;
                continue;
            }
            FreshReplayMix.Pick pick = next.pick();
            state = next.after();
            int[] ids = pick.kind() == FreshReplayMix.Kind.FRESH ? fresh(pick, heads.get(pick.partition())) : replay(pick);
            if (ids == null) {
                if (pick.kind() == FreshReplayMix.Kind.REPLAY) misses++;
                continue;
            }
            batch[i++] = ids;
            misses = 0;
        }
        return batch;
    }

    @Override
    public FreshReplayState state() {
        return new FreshReplayState(judge.tokenizerId(), state);
    }

    /** The fresh chunk of the pick, or null when the partition held nothing usable there (the frontier moves on). */
    private int[] fresh(FreshReplayMix.Pick pick, long head) throws InterruptedException {
        ChunkRecord r = readFresh(pick.partition(), pick.offset(), head);
        if (r == null) {
            state = FreshReplayMix.readUpTo(state, pick.partition(), head);
            return null;
        }
        ahead.get(pick.partition()).remove();
        state = FreshReplayMix.readUpTo(state, pick.partition(), r.offset() + 1);
        ChunkCheck.Result checked = judge.judge(r);
        return checked.usable() ? checked.ids() : null;
    }

    /** A replayed chunk, or null when the pick found no usable one (skipped quietly: it was judged when fresh). */
    private int[] replay(FreshReplayMix.Pick pick) throws InterruptedException {
        int p = pick.partition();
        long below = state.frontier().get(p);
        source.seek(p, pick.offset());
        ahead.get(p).clear(); // the consumer's position moved: what was read ahead is read again when needed
        while (source.position(p) < below) {
            for (ChunkRecord r : poll(p)) {
                if (r.offset() < pick.offset()) continue; // fetched before the seek
                if (r.offset() >= below) return null;
                ChunkCheck.Result checked = judge.check(r.chunk());
                return checked.usable() ? checked.ids() : null;
            }
        }
        return null;
    }

    /** The first record at or after offset and below head, kept at the front of the read-ahead; null if none. */
    private ChunkRecord readFresh(int p, long offset, long head) throws InterruptedException {
        ArrayDeque<ChunkRecord> queue = ahead.get(p);
        while (!queue.isEmpty() && queue.peek().offset() < offset) queue.remove();
        if (queue.isEmpty()) {
            source.seek(p, offset);
            while (queue.isEmpty() && source.position(p) < head) {
                for (ChunkRecord r : poll(p)) if (r.offset() >= offset) queue.add(r);
            }
        }
        ChunkRecord first = queue.peek();
        return first != null && first.offset() < head ? first : null;
    }

    private List<ChunkRecord> poll(int partition) throws InterruptedException {
        if (Thread.interrupted()) throw new InterruptedException();
        return source.poll(Set.of(partition), POLL);
    }
}
