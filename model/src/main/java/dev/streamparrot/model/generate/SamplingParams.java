package dev.streamparrot.model.generate;

/**
 * How the next token is drawn from the model's logits.
 *
 * @param temperature 0 means greedy (always the most likely token); higher flattens the distribution
 * @param topP        nucleus sampling: keep the smallest set of tokens whose probability reaches topP (1 = off)
 * @param topK        keep only the k most likely tokens (0 = off)
 */
public record SamplingParams(double temperature, double topP, int topK) {

    /** The service defaults, taken from the book's code-generation examples. */
    public static final SamplingParams DEFAULT = new SamplingParams(0.4, 0.95, 0);
    public static final SamplingParams GREEDY = new SamplingParams(0, 1, 0);

    public SamplingParams {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        if (topK < 0) throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
    }

    public boolean greedy() {
        return temperature == 0;
    }
}
