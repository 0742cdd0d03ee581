package dev.streamparrot.model.generate;

import java.util.SplittableRandom;

/**
 * Chooses the next token of one sequence from the model's logits. Each sequence owns a sampler
 * with its own random stream, so a seeded request gives the same tokens however it is batched.
 */
public final class Sampler {
    private final SamplingParams params;
    private final SplittableRandom random;

    public Sampler(SamplingParams params, SplittableRandom random) {
        this.params = params;
        this.random = random;
    }

    public int sample(float[] logits) {
        if (params.greedy()) return argmax(logits);
        double[] probs = softmax(logits, params.temperature());
        if (params.topK() == 0 && params.topP() >= 1) return draw(probs);
        return drawFrom(probs, nucleus(probs));
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }

    private static double[] softmax(float[] logits, double temperature) {
        float max = logits[argmax(logits)];
        double[] probs = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            probs[i] = Math.exp((logits[i] - max) / temperature);
            sum += probs[i];
        }
        for (int i = 0; i < probs.length; i++) probs[i] /= sum;
        return probs;
    }

    /** The tokens top-k and top-p keep, most likely first. */
    private int[] nucleus(double[] probs) {
        int[] head = mostLikely(probs, params.topK(), params.topP());
        int keep = params.topK() > 0 ? Math.min(params.topK(), head.length) : head.length;
        double cumulative = 0;
        for (int rank = 0; rank < keep; rank++) {
            cumulative += probs[head[rank]];
            if (cumulative >= params.topP()) {
                keep = rank + 1;
                break;
            }
        }
        return java.util.Arrays.copyOf(head, keep);
    }

    /**
     * The most likely token ids, most likely first: at least {@code k} of them (if k > 0) or enough
     * to hold probability {@code mass}, whichever comes first. Rather than sorting the whole
     * vocabulary each token, it sorts only the tokens above a threshold, lowered until they suffice:
     * they are exactly a prefix of the full ranking.
     */
    static int[] mostLikely(double[] probs, int k, double mass) {
        double max = 0;
        for (double p : probs) max = Math.max(max, p);
        for (double threshold = max / 64; ; threshold /= 64) {
            if (threshold < 1e-300) threshold = 0;
            int count = 0;
            double sum = 0;
            for (double p : probs) {
                if (p >= threshold) {
                    count++;
                    sum += p;
                }
            }
            if ((k > 0 && count >= k) || sum >= mass || threshold == 0) return sortedAbove(probs, threshold, count);
        }
    }

    /**
     * Sorting primitive longs (probability bits high, id low) avoids boxing; float bits of
     * non-negative numbers sort like the numbers, and on ties the lower id comes first.
     */
    private static int[] sortedAbove(double[] probs, double threshold, int count) {
        long[] keys = new long[count];
        int n = 0;
        for (int i = 0; i < probs.length; i++) {
            if (probs[i] >= threshold) keys[n++] = ((long) Float.floatToIntBits((float) probs[i]) << 32) | (probs.length - 1 - i);
        }
        java.util.Arrays.sort(keys);
        int[] order = new int[count];
        for (int rank = 0; rank < count; rank++) order[rank] = probs.length - 1 - (int) keys[count - 1 - rank];
        return order;
    }

    private int drawFrom(double[] probs, int[] candidates) {
        double total = 0;
        for (int id : candidates) total += probs[id];
        double target = random.nextDouble() * total;
        for (int id : candidates) {
            target -= probs[id];
            if (target < 0) return id;
        }
        return candidates[candidates.length - 1]; // rounding left a sliver: the least likely kept token takes it
    }

    private int draw(double[] weights) {
        double total = 0;
        for (double w : weights) total += w;
        double target = random.nextDouble() * total;
        int last = 0;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] == 0) continue;
            last = i;
            target -= weights[i];
            if (target < 0) return i;
        }
        return last; // rounding left a sliver: the last token with any weight takes it
    }
}
