package dev.streamparrot.model.generate;

import java.util.ArrayList;
import java.util.List;

/**
 * The log-probability of a chosen token and of the most likely alternatives, under the model's
 * raw distribution (before temperature, top-k and top-p), as vLLM reports them.
 *
 * @param top the {@code n} most likely tokens, most likely first, plus the chosen one if it is not among them
 */
public record TokenLogprobs(int token, double logprob, List<Alternative> top) {

    public record Alternative(int token, double logprob) {}

    public TokenLogprobs {
        top = List.copyOf(top);
    }

    public static TokenLogprobs of(float[] logits, int chosen, int n) {
        double[] logProbs = logSoftmax(logits);
        double[] probs = new double[logProbs.length];
        for (int i = 0; i < probs.length; i++) probs[i] = Math.exp(logProbs[i]);
        int[] order = n == 0 ? new int[0] : Sampler.mostLikely(probs, n, Double.POSITIVE_INFINITY);
        List<Alternative> top = new ArrayList<>();
        boolean chosenListed = false;
        for (int rank = 0; rank < Math.min(n, order.length); rank++) {
            top.add(new Alternative(order[rank], logProbs[order[rank]]));
            chosenListed |= order[rank] == chosen;
        }
        if (!chosenListed) top.add(new Alternative(chosen, logProbs[chosen]));
        return new TokenLogprobs(chosen, logProbs[chosen], top);
    }

    static double[] logSoftmax(float[] logits) {
        float max = logits[Sampler.argmax(logits)];
        double sum = 0;
        for (float l : logits) sum += Math.exp(l - max);
        double logSum = max + Math.log(sum);
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) out[i] = logits[i] - logSum;
        return out;
    }
}
