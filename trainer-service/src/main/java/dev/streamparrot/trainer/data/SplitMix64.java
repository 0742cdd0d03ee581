package dev.streamparrot.trainer.data;

/**
 * A seeded random generator whose whole state is one long, so a checkpoint can store it and a resumed
 * run draws the same numbers (java.util.Random's state is not readable back).
 */
public final class SplitMix64 {
    private long state;

    public SplitMix64(long state) {
        this.state = state;
    }

    public long state() {
        return state;
    }

    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, bound); the modulo bias is below bound / 2^63, far under anything a batch can show. */
    public int nextInt(int bound) {
        return (int) Long.remainderUnsigned(nextLong(), bound);
    }
}
