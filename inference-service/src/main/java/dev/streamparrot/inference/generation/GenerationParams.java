package dev.streamparrot.inference.generation;

import dev.streamparrot.inference.sampling.SamplingParams;
import dev.streamparrot.inference.sampling.StopSequences;

/**
 * Everything that shapes one generation besides the prompts.
 *
 * @param seed      seeds the random stream of every row (row i gets the i-th split of it)
 * @param logprobs  how many alternatives to report per token, or -1 for no log-probabilities at all
 */
public record GenerationParams(SamplingParams sampling, long seed, int maxTokens, StopSequences stop, int logprobs) {

    public GenerationParams {
        if (maxTokens < 1) throw new IllegalArgumentException("maxTokens must be >= 1");
        if (logprobs < -1) throw new IllegalArgumentException("logprobs must be >= -1");
    }
}
