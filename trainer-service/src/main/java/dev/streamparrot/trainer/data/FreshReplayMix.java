package dev.streamparrot.trainer.data;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fresh data first: which chunk to train on next, for a set of partitions. A fixed share of the picks
 * ({@code freshFraction}) goes to chunks never trained, taken in log order from each partition's
 * frontier (partitions in turn); the others replay a uniformly drawn chunk of the history already
 * trained. With no fresh chunk in sight a fresh pick replays; with nothing trained yet a replay pick
 * takes a fresh chunk; with neither there is no pick (the caller waits).
 *
 * <p>Which picks are fresh is not random: pick n is fresh when {@code floor((n+1)·f) > floor(n·f)}, so any
 * run of k picks holds at least {@code floor(k·f)} fresh slots. A backlog of B fresh chunks is therefore
 * trained within {@code ceil(B / floor(k·f))} batches of k picks: the bound the freshness test checks.
 *
 * <p>Pure: the caller holds the {@link State} (the trainer saves it in its checkpoints), and a pick
 * depends only on the state and the begin/head offsets it is shown. The trainer group applies one mix
 * per member to that member's partitions.
 */
public final class FreshReplayMix {
    /**
     * @param picks    picks made so far (decides which of the next ones are fresh)
     * @param rng      the replay generator's state ({@link SplitMix64})
     * @param cursor   index into the partition list where the search for a fresh chunk starts
     * @param frontier per partition, the next offset never trained: every chunk below it has been trained
     *                 (or skipped as unusable)
     */
    public record State(long picks, long rng, int cursor, Map<Integer, Long> frontier) {
        public State {
            frontier = Collections.unmodifiableMap(new TreeMap<>(frontier)); // in partition order, as announced
        }
    }

    /** Fresh: the chunk at or after this offset becomes trained. Replay: a chunk trained before. */
    public enum Kind { FRESH, REPLAY }

    /** The chunk to read: the first record at or after {@code offset} in {@code partition}. */
    public record Pick(Kind kind, int partition, long offset) {}

    /** A pick and the state after it. */
    public record Next(Pick pick, State after) {}

    private final List<Integer> partitions;
    private final double freshFraction;

    public FreshReplayMix(List<Integer> partitions, double freshFraction) {
        if (partitions.isEmpty()) throw new IllegalArgumentException("no partitions");
        if (!(freshFraction > 0 && freshFraction <= 1)) {
            throw new IllegalArgumentException("fresh fraction must be in (0, 1], got " + freshFraction);
        }
        this.partitions = List.copyOf(partitions);
        this.freshFraction = freshFraction;
    }

    /** The state of a run that has trained nothing: frontiers at the partitions' first offsets. */
    public State start(long seed, Map<Integer, Long> beginnings) {
        Map<Integer, Long> frontier = new TreeMap<>();
        partitions.forEach(p -> frontier.put(p, beginnings.getOrDefault(p, 0L)));
        return new State(0, seed, 0, frontier);
    }

    /** Whether pick number n (0-based) is a fresh slot. */
    public boolean freshSlot(long n) {
        return Math.floor((n + 1) * freshFraction) > Math.floor(n * freshFraction);
    }

    /**
     * The next pick given the first offset still in each partition and the heads (end offsets) seen now;
     * null when there is nothing fresh and nothing trained. {@code replayable} false asks for a fresh chunk
     * or nothing (the caller found no usable chunk in the history).
     */
    public Next next(State s, Map<Integer, Long> beginnings, Map<Integer, Long> heads, boolean replayable) {
        long trained = replayable ? trained(s, beginnings) : 0;
        boolean fresh = freshSlot(s.picks()) || trained == 0;
        if (fresh) {
            for (int k = 0; k < partitions.size(); k++) {
                int index = (s.cursor() + k) % partitions.size();
                int p = partitions.get(index);
                long from = s.frontier().get(p);
                if (from < heads.getOrDefault(p, 0L)) {
                    Map<Integer, Long> frontier = new TreeMap<>(s.frontier());
                    frontier.put(p, from + 1);
                    return new Next(new Pick(Kind.FRESH, p, from),
                            new State(s.picks() + 1, s.rng(), (index + 1) % partitions.size(), frontier));
                }
            }
            if (trained == 0) return null;
        }
        SplitMix64 rng = new SplitMix64(s.rng());
        long r = Long.remainderUnsigned(rng.nextLong(), trained);
        for (int p : partitions) {
            long first = firstKept(p, s, beginnings), size = s.frontier().get(p) - first;
            if (size <= 0) continue;
            if (r < size) {
                return new Next(new Pick(Kind.REPLAY, p, first + r), new State(s.picks() + 1, rng.state(), s.cursor(), s.frontier()));
            }
            r -= size;
        }
        throw new AssertionError("unreachable: r < trained");
    }

    /**
     * The state once a fresh read of this partition found its next record at {@code nextOffset - 1}, or
     * nothing below {@code nextOffset} (records the log skips, such as transaction markers, hold offsets too).
     */
    public static State readUpTo(State s, int partition, long nextOffset) {
        if (nextOffset <= s.frontier().get(partition)) return s;
        Map<Integer, Long> frontier = new TreeMap<>(s.frontier());
        frontier.put(partition, nextOffset);
        return new State(s.picks(), s.rng(), s.cursor(), frontier);
    }

    /** Chunks of the trained history still in the log, over all partitions. */
    private long trained(State s, Map<Integer, Long> beginnings) {
        long n = 0;
        for (int p : partitions) n += Math.max(0, s.frontier().get(p) - firstKept(p, s, beginnings));
        return n;
    }

    /** Where the partition's history starts: retention may have deleted older records. */
    private static long firstKept(int p, State s, Map<Integer, Long> beginnings) {
        return beginnings.getOrDefault(p, 0L);
    }
}
