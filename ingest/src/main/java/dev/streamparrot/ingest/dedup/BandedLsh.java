package dev.streamparrot.ingest.dedup;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Near-dedup with the LSH index split by band bucket, so that each owner of some buckets judges alone: the
 * pieces of {@link LshIndex} that the streaming stage spreads over partitions.
 *
 * <p>The rule is order-free, so it gives the same verdicts however the buckets' owners interleave: a file is
 * a near-duplicate when some file EARLIER in {@link FileOrder} shares a band bucket with it and reaches the
 * Jaccard threshold (exact Jaccard of the token sets, as {@link LshIndex}). Whichever of the two reaches a
 * shared bucket second finds the other there, and each pair is judged in one bucket only: that of the
 * lowest band they share. Unlike {@link LshIndex}, rejected files stay indexed, so in a chain A ~ B ~ C with
 * A !~ C only A is kept (CodeParrot too keeps one file per cluster), whatever order the three arrive in.
 */
public final class BandedLsh {

    /**
     * One file in one band's bucket.
     *
     * @param fileKey  repo/path: a file near its own earlier version at the same path is a change, not a copy
     * @param bandKeys the bucket keys of all its bands, to find the lowest band it shares with another file
     */
    public record Entry(String contentHash, String fileKey, FileOrder order, long[] bandKeys) {
        public Entry {
            Objects.requireNonNull(contentHash);
            Objects.requireNonNull(fileKey);
            Objects.requireNonNull(order);
            bandKeys = bandKeys.clone();
        }

        @Override
        public long[] bandKeys() {
            return bandKeys.clone();
        }

        public long bandKey(int band) {
            return bandKeys[band];
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && contentHash.equals(e.contentHash) && fileKey.equals(e.fileKey)
                    && order.equals(e.order) && Arrays.equals(bandKeys, e.bandKeys);
        }

        @Override
        public int hashCode() {
            return Objects.hash(contentHash, fileKey, order, Arrays.hashCode(bandKeys));
        }
    }

    /** {@code later} nearly duplicates {@code earlier}. */
    public record NearPair(Entry later, Entry earlier, double jaccard) {}

    private final double threshold;

    public BandedLsh(double threshold) {
        this.threshold = threshold;
    }

    /**
     * Judges two files found in the bucket of {@code band}: a pair when this band is the lowest they share,
     * they are not two versions of one path, and their token sets reach the threshold.
     */
    public Optional<NearPair> judge(int band, Entry a, Set<String> aTokens, Entry b, Set<String> bTokens) {
        if (a.fileKey().equals(b.fileKey()) || lowestSharedBand(a, b) != band) return Optional.empty();
        double j = LshIndex.jaccard(aTokens, bTokens);
        if (j < threshold) return Optional.empty();
        return Optional.of(a.order().compareTo(b.order()) > 0 ? new NearPair(a, b, j) : new NearPair(b, a, j));
    }

    private static int lowestSharedBand(Entry a, Entry b) {
        for (int band = 0; band < a.bandKeys.length; band++) {
            if (a.bandKey(band) == b.bandKey(band)) return band;
        }
        return -1;
    }
}
