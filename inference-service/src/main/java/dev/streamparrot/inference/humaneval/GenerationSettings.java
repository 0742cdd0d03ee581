package dev.streamparrot.inference.humaneval;

import dev.streamparrot.inference.sampling.SamplingParams;
import dev.streamparrot.inference.sampling.StopSequences;

/** How HumanEval completions are sampled. {@link #CODEPARROT} are the CodeParrot human_eval script's values. */
public record GenerationSettings(SamplingParams sampling, int maxNewTokens, StopSequences stop, Long seed) {

    public static final GenerationSettings CODEPARROT =
            new GenerationSettings(new SamplingParams(0.2, 0.95, 0), 256, StopSequences.CODE_FIRST_BLOCK, null);
}
