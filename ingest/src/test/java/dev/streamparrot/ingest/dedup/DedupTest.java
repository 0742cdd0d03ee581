package dev.streamparrot.ingest.dedup;

import dev.streamparrot.ingest.PythonFiles;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DedupTest {

    @Test
    void exactDeduperKeepsTheFirstAndCountsCopies() {
        ExactDeduper d = ExactDeduper.inMemory();
        assertNull(d.offer("h1", "a.py"));
        assertEquals(new ExactDeduper.FirstCopy("a.py", 1), d.offer("h1", "b.py"));
        assertEquals(new ExactDeduper.FirstCopy("a.py", 2), d.offer("h1", "c.py"));
        assertNull(d.offer("h2", "c.py"));
    }

    @Test
    void aDeletedFirstCopyIsForgottenSoRestoringItIsNotADuplicate() {
        ExactDeduper d = ExactDeduper.inMemory();
        assertNull(d.offer("h1", "a.py"));
        d.forget("h1", "b.py");
        assertEquals(new ExactDeduper.FirstCopy("a.py", 1), d.offer("h1", "b.py"), "b.py was never the first copy");
        d.forget("h1", "a.py");
        assertNull(d.offer("h1", "a.py"), "restored after its deletion, a.py is a first copy again");
    }

    @Test
    void tokensSplitOnNonIdentifierCharacters() {
        assertEquals(Set.of("def", "f_1", "x", "return", "2"), MinHash.tokens("def f_1(x):\n  return x*2"));
    }

    @Test
    void mersenneArithmeticMatchesBigInteger() {
        Random r = new Random(7);
        BigInteger p = BigInteger.ONE.shiftLeft(61).subtract(BigInteger.ONE);
        for (int i = 0; i < 10_000; i++) {
            long a = r.nextLong() >>> 3 & ((1L << 61) - 2), h = r.nextLong() >>> 3 & ((1L << 61) - 2), b = r.nextLong() >>> 3 & ((1L << 61) - 2);
            long expected = BigInteger.valueOf(a).multiply(BigInteger.valueOf(h)).add(BigInteger.valueOf(b)).mod(p).longValue();
            assertEquals(expected, MinHash.mulAddMod61(a, h, b));
        }
    }

    @Test
    void signaturesAreDeterministicAndEstimateJaccard() {
        List<String> names = PythonFiles.identifiers(3, 400);
        Set<String> x = new HashSet<>(names.subList(0, 300));
        Set<String> y = new HashSet<>(names.subList(100, 400));   // Jaccard 200 / 400 = 0.5
        assertArrayEquals(new MinHash().signature(x), new MinHash().signature(x));
        double estimate = MinHash.estimateJaccard(new MinHash().signature(x), new MinHash().signature(y));
        assertEquals(0.5, LshIndex.jaccard(x, y), 1e-12);
        assertEquals(0.5, estimate, 0.1);
    }

    @Test
    void sCurveHasHighRecallAtTheThreshold() {
        assertTrue(LshIndex.candidateProbability(0.85, 32, 8) > 0.9999);
        assertTrue(LshIndex.candidateProbability(0.5, 32, 8) < 0.15);
    }

    /** Replace k of the names with fresh ones: Jaccard (n − k) / (n + k) against the original. */
    static List<String> mutate(List<String> names, int k, long seed) {
        List<String> out = new ArrayList<>(names);
        List<String> fresh = PythonFiles.identifiers(seed, k);
        for (int i = 0; i < k; i++) out.set(i * (names.size() / k), "new_" + fresh.get(i));
        return out;
    }

    @Test
    void nearDuplicateFoundDissimilarPasses() {
        List<String> names = PythonFiles.identifiers(11, 200);
        String original = PythonFiles.module(names);
        String similar = PythonFiles.module(mutate(names, 10, 12));     // ≈ 0.9
        String half = PythonFiles.module(mutate(names, 66, 13));        // ≈ 0.5
        double jSimilar = LshIndex.jaccard(MinHash.tokens(original), MinHash.tokens(similar));
        double jHalf = LshIndex.jaccard(MinHash.tokens(original), MinHash.tokens(half));
        assertTrue(jSimilar > 0.88 && jSimilar < 0.92, "similar " + jSimilar);
        assertTrue(jHalf > 0.45 && jHalf < 0.55, "half " + jHalf);

        LshIndex index = LshIndex.inMemory();
        assertNull(index.findOrAdd("original", original));
        LshIndex.Match match = index.findOrAdd("similar", similar);
        assertNotNull(match);
        assertEquals("original", match.docId());
        assertEquals(jSimilar, match.jaccard(), 1e-12);
        assertNull(index.findOrAdd("half", half));
        // the near duplicate was not indexed, the dissimilar one was
        assertEquals("half", index.findOrAdd("half again", half).docId());
    }

    @Test
    void tinyFilesAreNeverNearDuplicates() {
        LshIndex index = LshIndex.inMemory();
        String tiny = "a b c d e f g h i";                              // 9 tokens
        assertNull(index.findOrAdd("1", tiny));
        assertNull(index.findOrAdd("2", tiny));
        String ten = tiny + " j";
        assertNull(index.findOrAdd("3", ten));
        assertEquals("3", index.findOrAdd("4", ten).docId());
    }
}
