package dev.streamparrot.inference.humaneval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PassAtKTest {

    @Test
    void matchesHandComputedBinomials() {
        // n=5, c=2, k=1: 1 - C(3,1)/C(5,1) = 1 - 3/5
        assertEquals(0.4, PassAtK.estimate(5, 2, 1), 1e-12);
        // n=5, c=2, k=2: 1 - C(3,2)/C(5,2) = 1 - 3/10
        assertEquals(0.7, PassAtK.estimate(5, 2, 2), 1e-12);
        // n=10, c=3, k=5: 1 - C(7,5)/C(10,5) = 1 - 21/252
        assertEquals(1 - 21.0 / 252, PassAtK.estimate(10, 3, 5), 1e-12);
        // fewer failures than k: every draw of k contains a pass
        assertEquals(1.0, PassAtK.estimate(10, 8, 3));
        assertEquals(0.0, PassAtK.estimate(10, 0, 10));
        assertEquals(1.0, PassAtK.estimate(1, 1, 1));
    }

    @Test
    void staysFiniteWhereBinomialsOverflow() {
        // n=200, c=1, k=100: 1 - C(199,100)/C(200,100) = 1 - 100/200
        assertEquals(0.5, PassAtK.estimate(200, 1, 100), 1e-12);
        // n=200, c=2, k=100: 1 - (100*99)/(200*199)
        assertEquals(1 - (100.0 * 99) / (200.0 * 199), PassAtK.estimate(200, 2, 100), 1e-12);
    }

    @Test
    void rejectsImpossibleCounts() {
        assertThrows(IllegalArgumentException.class, () -> PassAtK.estimate(5, 6, 1));
        assertThrows(IllegalArgumentException.class, () -> PassAtK.estimate(5, 1, 6));
    }

    @Test
    void reportAveragesOverProblemsForEachKThatFits() {
        Map<Integer, Double> report = PassAtK.report(List.of(new PassAtK.Tally(10, 1), new PassAtK.Tally(10, 0)));
        assertEquals(List.of(1, 10), List.copyOf(report.keySet()));
        assertEquals((0.1 + 0) / 2, report.get(1), 1e-12);
        assertEquals((1.0 + 0) / 2, report.get(10), 1e-12);
    }
}
