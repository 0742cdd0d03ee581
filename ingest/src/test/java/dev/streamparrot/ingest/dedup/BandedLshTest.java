package dev.streamparrot.ingest.dedup;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BandedLshTest {
    private final LshIndex layout = LshIndex.inMemory();
    private final BandedLsh lsh = new BandedLsh(LshIndex.DEFAULT_THRESHOLD);

    @Test
    void aPairIsJudgedInItsLowestSharedBandOnlyAndTheEarlierFileWinsWhicheverCameFirst() {
        Set<String> a = names(0, 100);
        Set<String> b = names(0, 103);
        BandedLsh.Entry ea = entry("h-a", "r/a.py", new FileOrder(2000, 1, 5), a);
        BandedLsh.Entry eb = entry("h-b", "s/b.py", new FileOrder(1000, 3, 9), b); // earlier, on another partition
        int judged = 0;
        for (int band = 0; band < LshIndex.DEFAULT_BANDS; band++) {
            if (ea.bandKey(band) != eb.bandKey(band)) continue;
            var first = lsh.judge(band, ea, a, eb, b);
            var second = lsh.judge(band, eb, b, ea, a);
            assertEquals(first, second, "the same verdict whichever of the two reached the bucket first");
            if (first.isPresent()) {
                judged++;
                assertEquals("s/b.py", first.get().earlier().fileKey());
                assertEquals("r/a.py", first.get().later().fileKey());
            }
        }
        assertEquals(1, judged, "judged once, in the lowest band the two share");
    }

    @Test
    void twoVersionsOfOnePathAndDissimilarFilesAreNoPair() {
        Set<String> a = names(0, 100);
        Set<String> b = names(0, 103);
        BandedLsh.Entry ea = entry("h-a", "r/a.py", new FileOrder(1, 0, 0), a);
        BandedLsh.Entry later = entry("h-b", "r/a.py", new FileOrder(2, 0, 1), b);
        for (int band = 0; band < LshIndex.DEFAULT_BANDS; band++) {
            assertTrue(lsh.judge(band, ea, a, later, b).isEmpty(), "a new version of a file is a change");
        }
        Set<String> c = names(20, 120); // Jaccard 80/120
        BandedLsh.Entry ec = entry("h-c", "t/c.py", new FileOrder(3, 0, 2), c);
        for (int band = 0; band < LshIndex.DEFAULT_BANDS; band++) {
            assertTrue(lsh.judge(band, ea, a, ec, c).isEmpty(), "below the threshold");
        }
    }

    @Test
    void ordersCompareAsTheirBytes() {
        FileOrder[] orders = {new FileOrder(5, 0, 7), new FileOrder(5, 1, 0), new FileOrder(6, 0, 0), new FileOrder(300, 2, 1L << 40)};
        for (int i = 0; i + 1 < orders.length; i++) {
            assertTrue(orders[i].compareTo(orders[i + 1]) < 0);
            assertTrue(java.util.Arrays.compareUnsigned(orders[i].toBytes(), orders[i + 1].toBytes()) < 0, orders[i] + " " + orders[i + 1]);
            assertEquals(orders[i], FileOrder.fromBytes(orders[i].toBytes()));
        }
        assertTrue(FileOrder.lastBefore(6).compareTo(new FileOrder(6, 0, 0)) < 0);
        assertTrue(FileOrder.lastBefore(6).compareTo(new FileOrder(5, 9, 9)) > 0);
    }

    private BandedLsh.Entry entry(String hash, String key, FileOrder order, Set<String> tokens) {
        return new BandedLsh.Entry(hash, key, order, layout.bandKeys(tokens));
    }

    private static Set<String> names(int from, int to) {
        Set<String> names = new HashSet<>();
        for (int i = from; i < to; i++) names.add("name_" + i);
        return names;
    }
}
