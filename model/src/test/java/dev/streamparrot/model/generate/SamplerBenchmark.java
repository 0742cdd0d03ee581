package dev.streamparrot.model.generate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Per-token cost of sampling over a GPT-2-sized vocabulary; anchor: greedy argmax. */
@Tag("benchmark")
class SamplerBenchmark {
    private static final int VOCAB = 32_768;

    @Test
    void samplingCostPerToken() {
        float[][] logits = new float[64][VOCAB];
        SplittableRandom random = new SplittableRandom(1);
        for (float[] row : logits) for (int i = 0; i < VOCAB; i++) row[i] = (float) (random.nextGaussian() * 3);

        double greedy = microsPerToken(new Sampler(SamplingParams.GREEDY, new SplittableRandom(1)), logits, false);
        double plain = microsPerToken(new Sampler(new SamplingParams(0.4, 1, 0), new SplittableRandom(1)), logits, false);
        double nucleus = microsPerToken(new Sampler(new SamplingParams(0.4, 0.95, 0), new SplittableRandom(1)), logits, false);
        double withLogprobs = microsPerToken(new Sampler(new SamplingParams(0.4, 0.95, 0), new SplittableRandom(1)), logits, true);
        System.out.printf("vocab %d, us/token: greedy (anchor) %.1f | temperature %.1f (x%.1f) | top_p 0.95 %.1f (x%.1f)"
                        + " | top_p + logprobs=5 %.1f (x%.1f)%n",
                VOCAB, greedy, plain, plain / greedy, nucleus, nucleus / greedy, withLogprobs, withLogprobs / greedy);
        assertTrue(nucleus > 0);
    }

    private static double microsPerToken(Sampler sampler, float[][] logits, boolean logprobs) {
        int sink = 0;
        for (int i = 0; i < 1_000; i++) sink += step(sampler, logits[i % logits.length], logprobs); // warm-up
        int tokens = 1_000;
        long start = System.nanoTime();
        for (int i = 0; i < tokens; i++) sink += step(sampler, logits[i % logits.length], logprobs);
        double micros = (System.nanoTime() - start) / 1e3 / tokens;
        if (sink == 42) System.out.print("");
        return micros;
    }

    private static int step(Sampler sampler, float[] logits, boolean logprobs) {
        int token = sampler.sample(logits);
        return logprobs ? TokenLogprobs.of(logits, token, 5).top().size() + token : token;
    }
}
