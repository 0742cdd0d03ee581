package dev.streamparrot.ingest.filter;

import java.util.SplittableRandom;

/**
 * CodeParrot drops config/test files and keyword-less files with probability p using np.random. Here the
 * coin is seeded from the content hash (and the filter's name), so a rerun, a replayed Kafka topic or
 * another replica decides the same way for the same content.
 */
final class DropDice {
    private DropDice() {}

    static boolean drop(String contentHash, String filterName, double probability) {
        long seed = Long.parseUnsignedLong(contentHash.substring(0, 16), 16) ^ (long) filterName.hashCode() * 0x9E3779B97F4A7C15L;
        return new SplittableRandom(seed).nextDouble() < probability;
    }
}
