package dev.streamparrot.model.generate;

/**
 * Everything that shapes one generation besides the prompts: the completions API, HumanEval and the trainer's
 * checkpoint samples all say it this way.
 *
 * @param maxTokens new tokens per row at most
 * @param seed      seeds the random stream of every row (row i gets the i-th split of it); null draws one
 * @param logprobs  how many alternatives to report per token, or -1 for no log-probabilities at all
 */
public record GenerationParams(SamplingParams sampling, int maxTokens, StopSequences stop, Long seed, int logprobs) {

    /** HumanEval as CodeParrot's human_eval script samples it (temperature 0.2, top-p 0.95, 256 tokens, first block). */
    public static final GenerationParams HUMANEVAL =
            new GenerationParams(new SamplingParams(0.2, 0.95, 0), 256, StopSequences.CODE_FIRST_BLOCK, null, -1);

    public GenerationParams {
        if (maxTokens < 1) throw new IllegalArgumentException("maxTokens must be >= 1");
        if (logprobs < -1) throw new IllegalArgumentException("logprobs must be >= -1");
    }

    /** The same with a fixed seed. */
    public GenerationParams withSeed(long seed) {
        return new GenerationParams(sampling, maxTokens, stop, seed, logprobs);
    }
}
