package dev.streamparrot.trainer.group;

import dev.streamparrot.schemas.ChunkRange;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The outer step's arithmetic and the coordinator's refusals, without Kafka. */
class OuterStepTest {
    @Test
    void oneMemberWithLrOneAndNoMomentumTakesItsParametersExactly() {
        Random r = new Random(3);
        float[] g = new float[10_000], l = new float[10_000];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) (r.nextGaussian() * Math.pow(10, -r.nextInt(8)));
            l[i] = (float) (g[i] + r.nextGaussian() * 1e-3); // signs cross zero: G − L in float would round here
        }
        float[] next = new OuterStep(1, 0).apply(g, new float[g.length], List.of(new OuterStep.Local(l, 1000)));
        assertArrayEquals(l, next);
    }

    @Test
    void nesterovOnTheTokenWeightedAverage() {
        float[] g = {1f, -2f};
        float[] a = {0.5f, -1f}, b = {2f, -2f}; // Δa = (0.5, -1), Δb = (-1, 0)
        float[] momentum = {0.1f, 0f};
        float[] next = new OuterStep(0.7, 0.9).apply(g, momentum, List.of(new OuterStep.Local(a, 300), new OuterStep.Local(b, 100),
                new OuterStep.Local(new float[] {99f, 99f}, 0)));
        double d0 = 0.75 * 0.5 + 0.25 * -1, d1 = 0.75 * -1;
        double m0 = 0.9 * 0.1f + d0, m1 = d1;
        assertEquals((float) m0, momentum[0]);
        assertEquals((float) m1, momentum[1]);
        assertEquals((float) (1 - 0.7 * (d0 + 0.9 * m0)), next[0]);
        assertEquals((float) (-2 - 0.7 * (d1 + 0.9 * m1)), next[1]);
    }

    @Test
    void contributionsThatMustNotBeAveragedSayWhy() {
        Set<String> live = Set.of("m1", "m2");
        Map<Integer, Long> reached = Map.of(0, 10L, 1, 4L);
        float[] ok = {1f, 2f, 3f};
        assertNull(contribution("m1", 5, "fp", List.of(new ChunkRange(0, 10L, 14L)), ok).refusal(5, live, "fp", 3, reached));
        assertTrue(contribution("m1", 4, "fp", List.of(), ok).refusal(5, live, "fp", 3, reached).contains("is for round 4, the group is at round 5"));
        assertTrue(contribution("m9", 5, "fp", List.of(), ok).refusal(5, live, "fp", 3, reached).contains("m9, not a member"));
        assertTrue(contribution("m1", 5, "other", List.of(), ok).refusal(5, live, "fp", 3, reached).contains("is of model/tokenizer other"));
        assertTrue(contribution("m1", 5, "fp", List.of(), new float[] {1f, Float.NaN, 3f}).refusal(5, live, "fp", 3, reached)
                .contains("holds NaN at value 1"));
        assertTrue(contribution("m1", 5, "fp", List.of(), new float[] {1f, 2f, Float.POSITIVE_INFINITY}).refusal(5, live, "fp", 3, reached)
                .contains("holds Infinity"));
        assertTrue(contribution("m1", 5, "fp", List.of(), new float[] {1f}).refusal(5, live, "fp", 3, reached).contains("holds 1 values"));
        assertTrue(contribution("m2", 5, "fp", List.of(new ChunkRange(1, 2L, 6L)), ok).refusal(5, live, "fp", 3, reached)
                .contains("partition 1 from offset 2, but the group's training there has reached 4"));
    }

    private static Contribution contribution(String member, long round, String fingerprint, List<ChunkRange> ranges, float[] params) {
        return new Contribution("c-" + member, member, round, fingerprint, 128, 2, ranges, params, null, 0);
    }
}
