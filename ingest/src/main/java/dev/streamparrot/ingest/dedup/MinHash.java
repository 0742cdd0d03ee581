package dev.streamparrot.ingest.dedup;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * MinHash signatures of token sets, as in CodeParrot's minhash_deduplication.py: tokens are the pieces
 * between non-identifier characters, and each of the {@code numPerm} permutations is the universal hash
 * (a·h + b) mod (2^61 − 1) of a 64-bit token hash. The same seed gives the same signatures everywhere.
 */
public final class MinHash {
    public static final int DEFAULT_PERMUTATIONS = 256;
    public static final long DEFAULT_SEED = 42;
    private static final long MERSENNE_61 = (1L << 61) - 1;

    private final long[] a;
    private final long[] b;

    public MinHash(int numPerm, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        a = new long[numPerm];
        b = new long[numPerm];
        for (int i = 0; i < numPerm; i++) {
            a[i] = 1 + random.nextLong(MERSENNE_61 - 1);
            b[i] = random.nextLong(MERSENNE_61);
        }
    }

    public MinHash() {
        this(DEFAULT_PERMUTATIONS, DEFAULT_SEED);
    }

    public int permutations() {
        return a.length;
    }

    /**
     * The set of identifier-like tokens of some code: CodeParrot's get_tokens, the non-empty pieces of
     * {@code re.split("[^A-Za-z_0-9]", code)}, scanned by hand because a regex split is the slowest part.
     */
    public static Set<String> tokens(String content) {
        Set<String> tokens = new HashSet<>();
        int start = -1;
        for (int i = 0; i <= content.length(); i++) {
            boolean word = i < content.length() && isTokenChar(content.charAt(i));
            if (word && start < 0) {
                start = i;
            } else if (!word && start >= 0) {
                tokens.add(content.substring(start, i));
                start = -1;
            }
        }
        return tokens;
    }

    private static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    public long[] signature(Set<String> tokens) {
        long[] sig = new long[a.length];
        java.util.Arrays.fill(sig, Long.MAX_VALUE);
        for (String token : tokens) {
            long h = mod61(hash64(token));
            for (int i = 0; i < sig.length; i++) {
                long v = mulAddMod61(a[i], h, b[i]);
                if (v < sig[i]) sig[i] = v;
            }
        }
        return sig;
    }

    /** Fraction of equal components: an unbiased estimate of the Jaccard similarity of the two sets. */
    public static double estimateJaccard(long[] x, long[] y) {
        int same = 0;
        for (int i = 0; i < x.length; i++) if (x[i] == y[i]) same++;
        return (double) same / x.length;
    }

    /** FNV-1a over the UTF-16 units, then MurmurHash3's finaliser so that near-equal tokens spread out. */
    static long hash64(String token) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < token.length(); i++) {
            h ^= token.charAt(i);
            h *= 0x100000001b3L;
        }
        return mix64(h);
    }

    static long mix64(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    private static long mod61(long x) {
        long r = (x & MERSENNE_61) + (x >>> 61);
        return r >= MERSENNE_61 ? r - MERSENNE_61 : r;
    }

    /** (a·h + b) mod 2^61−1 for a, h, b below 2^61, using 2^61 ≡ 1 to fold the 122-bit product. */
    static long mulAddMod61(long a, long h, long b) {
        long lo = a * h;
        long hi = Math.multiplyHigh(a, h);
        long folded = (lo & MERSENNE_61) + ((hi << 3) | (lo >>> 61)) + b; // < 3·2^61, fits in a signed long
        return mod61(folded);
    }
}
