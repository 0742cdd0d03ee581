package dev.streamparrot.ingest.dedup;

import java.util.HashSet;
import java.util.Set;

/**
 * Near-duplicate detection: MinHash signatures split into {@code bands} bands of {@code rows} rows; two
 * documents become candidates when any band is identical, and a candidate counts as a duplicate only if
 * the EXACT Jaccard similarity of the token sets reaches the threshold (CodeParrot: 0.85). The first
 * document of a near-duplicate group is kept, later ones are reported.
 *
 * <p>Why 32 × 8: the chance that a pair of similarity s becomes a candidate is 1 − (1 − s^8)^32, which is
 * 0.99996 at s = 0.85, 0.997 at 0.8, 0.42 at 0.6 and 0.12 at 0.5. Recall at the threshold is what
 * matters; false candidates only cost one exact Jaccard each. 16 × 16 would miss 29% of pairs at 0.85;
 * 64 × 4 would make 98% of pairs at 0.5 candidates.
 */
public final class LshIndex {
    public static final int DEFAULT_BANDS = 32;
    public static final int DEFAULT_ROWS = 8;
    public static final double DEFAULT_THRESHOLD = 0.85;
    /** CodeParrot's MIN_NUM_TOKENS: smaller files carry too little evidence and are never near-duplicates. */
    public static final int MIN_TOKENS = 10;

    /** The earlier document a new one nearly duplicates. */
    public record Match(String docId, double jaccard) {}

    private final LshStore store;
    private final MinHash minHash;
    private final int bands;
    private final int rows;
    private final double threshold;

    public LshIndex(LshStore store, MinHash minHash, int bands, int rows, double threshold) {
        if (bands * rows != minHash.permutations()) {
            throw new IllegalArgumentException("bands × rows must equal the MinHash permutations");
        }
        this.store = store;
        this.minHash = minHash;
        this.bands = bands;
        this.rows = rows;
        this.threshold = threshold;
    }

    /** 256 permutations, 32 bands × 8 rows, Jaccard ≥ 0.85. */
    public LshIndex(LshStore store) {
        this(store, new MinHash(), DEFAULT_BANDS, DEFAULT_ROWS, DEFAULT_THRESHOLD);
    }

    public static LshIndex inMemory() {
        return new LshIndex(LshStore.inMemory());
    }

    /** Probability that a pair with Jaccard similarity s shares at least one band: the S-curve. */
    public static double candidateProbability(double s, int bands, int rows) {
        return 1 - Math.pow(1 - Math.pow(s, rows), bands);
    }

    /**
     * Looks {@code content} up; when it nearly duplicates an indexed document, returns that match and
     * leaves the index unchanged, otherwise indexes it under {@code docId} and returns null.
     */
    public Match findOrAdd(String docId, String content) {
        return findOrAdd(docId, MinHash.tokens(content));
    }

    public synchronized Match findOrAdd(String docId, Set<String> tokens) {
        if (tokens.size() < MIN_TOKENS) return null;
        long[] keys = bandKeys(minHash.signature(tokens));
        Set<String> checked = new HashSet<>();
        for (long key : keys) {
            for (String other : store.bucket(key)) {
                if (!checked.add(other)) continue;
                Set<String> otherTokens = store.tokens(other);
                if (otherTokens == null) continue;
                double j = jaccard(tokens, otherTokens);
                if (j >= threshold) return new Match(other, j);
            }
        }
        store.putTokens(docId, tokens);
        for (long key : keys) store.addToBucket(key, docId);
        return null;
    }

    public static double jaccard(Set<String> x, Set<String> y) {
        Set<String> small = x.size() <= y.size() ? x : y;
        Set<String> large = small == x ? y : x;
        int common = 0;
        for (String t : small) if (large.contains(t)) common++;
        int union = x.size() + y.size() - common;
        return union == 0 ? 1.0 : (double) common / union;
    }

    /** The bucket key of each band of a token set: what {@link BandedLsh} partitions the index by. */
    public long[] bandKeys(Set<String> tokens) {
        return bandKeys(minHash.signature(tokens));
    }

    public int bands() {
        return bands;
    }

    public double threshold() {
        return threshold;
    }

    /** One key per band: the band's index and its rows hashed together. */
    private long[] bandKeys(long[] signature) {
        long[] keys = new long[bands];
        for (int band = 0; band < bands; band++) {
            long h = MinHash.mix64(band + 1L);
            for (int row = 0; row < rows; row++) h = MinHash.mix64(h ^ signature[band * rows + row]);
            keys[band] = h;
        }
        return keys;
    }
}
