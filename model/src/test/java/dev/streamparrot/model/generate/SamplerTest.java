package dev.streamparrot.model.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerTest {
    // probabilities at temperature 1: softmax(log p) = p
    private static final float[] LOGITS = logitsOf(0.5, 0.25, 0.15, 0.1);

    private static float[] logitsOf(double... probs) {
        float[] out = new float[probs.length];
        for (int i = 0; i < probs.length; i++) out[i] = (float) Math.log(probs[i]);
        return out;
    }

    private static int[] counts(SamplingParams params, float[] logits, int draws) {
        Sampler sampler = new Sampler(params, new SplittableRandom(7));
        int[] counts = new int[logits.length];
        for (int i = 0; i < draws; i++) counts[sampler.sample(logits)]++;
        return counts;
    }

    @Test
    void temperatureZeroIsArgmax() {
        float[] logits = {0.1f, 3f, -2f, 2.9f};
        Sampler sampler = new Sampler(SamplingParams.GREEDY, new SplittableRandom(1));
        for (int i = 0; i < 20; i++) assertEquals(1, sampler.sample(logits));
    }

    @Test
    void temperatureOneFollowsTheSoftmax() {
        int draws = 40_000;
        int[] counts = counts(new SamplingParams(1, 1, 0), LOGITS, draws);
        double[] expected = {0.5, 0.25, 0.15, 0.1};
        for (int i = 0; i < counts.length; i++) {
            assertEquals(expected[i], counts[i] / (double) draws, 0.01, "token " + i);
        }
    }

    @Test
    void lowTemperatureSharpens() {
        int[] counts = counts(new SamplingParams(0.25, 1, 0), LOGITS, 10_000);
        // p^4 normalised: 0.0625 / (0.0625 + 0.0039 + 0.0005 + 0.0001) = 0.93
        assertEquals(0.93, counts[0] / 10_000.0, 0.015);
    }

    @Test
    void topKKeepsOnlyTheKMostLikely() {
        int[] counts = counts(new SamplingParams(1, 1, 2), LOGITS, 30_000);
        assertEquals(0, counts[2] + counts[3]);
        assertEquals(2.0 / 3, counts[0] / 30_000.0, 0.015); // 0.5 / (0.5 + 0.25)
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        // 0.5 + 0.25 = 0.75 >= 0.7: tokens 0 and 1 only
        int[] counts = counts(new SamplingParams(1, 0.7, 0), LOGITS, 30_000);
        assertEquals(0, counts[2] + counts[3]);
        assertTrue(counts[1] > 0);
        // a tiny p still keeps the single most likely token
        int[] tiny = counts(new SamplingParams(1, 0.01, 0), LOGITS, 1_000);
        assertEquals(1_000, tiny[0]);
    }

    @Test
    void sameSeedSameTokensOtherSeedOtherTokens() {
        float[] logits = new float[50];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) Math.sin(i);
        List<Integer> a = draws(logits, 42);
        assertEquals(a, draws(logits, 42));
        assertNotEquals(a, draws(logits, 43));
    }

    private static List<Integer> draws(float[] logits, long seed) {
        Sampler sampler = new Sampler(new SamplingParams(1, 1, 0), new SplittableRandom(seed));
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < 30; i++) out.add(sampler.sample(logits));
        return out;
    }

    @Test
    void logprobsAreTheRawLogSoftmaxWithTheChosenTokenAlwaysListed() {
        TokenLogprobs lp = TokenLogprobs.of(LOGITS, 3, 2);
        assertEquals(Math.log(0.1), lp.logprob(), 1e-6);
        assertEquals(List.of(0, 1, 3), lp.top().stream().map(TokenLogprobs.Alternative::token).toList());
        assertEquals(Math.log(0.5), lp.top().get(0).logprob(), 1e-6);
        TokenLogprobs zero = TokenLogprobs.of(LOGITS, 0, 0);
        assertEquals(List.of(0), zero.top().stream().map(TokenLogprobs.Alternative::token).toList());
    }
}
