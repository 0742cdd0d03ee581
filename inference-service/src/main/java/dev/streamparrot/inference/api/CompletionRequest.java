package dev.streamparrot.inference.api;

import dev.streamparrot.model.generate.GenerationParams;
import dev.streamparrot.model.generate.SamplingParams;
import dev.streamparrot.model.generate.StopSequences;
import java.util.List;

/**
 * One completion request as the engine runs it, with every default filled in: from an HTTP body
 * ({@link CompletionBody#toRequest()}) or built in code (the HumanEval runner, {@link #of}).
 *
 * @param model        the requested model: the served id, {@link #LATEST}, or null (both mean the model served now)
 * @param prompts      one entry per prompt; each is text or token ids
 * @param seed         null draws a random seed
 * @param logprobs     alternatives per token to report (0..5), or -1 for none
 * @param includeUsage stream_options.include_usage: a last chunk carries the token counts
 */
public record CompletionRequest(String model, List<Prompt> prompts, int maxTokens, SamplingParams sampling, Long seed,
                                int n, StopSequences stop, boolean echo, int logprobs, boolean stream,
                                boolean includeUsage) {

    /** The alias for whichever checkpoint is served now, for clients that follow the training rather than pin a step. */
    public static final String LATEST = "latest";
    public static final int DEFAULT_MAX_TOKENS = 16;
    public static final int MAX_N = 128;
    public static final int MAX_LOGPROBS = 5;

    /** A prompt as text, or as token ids (then text is null). */
    public record Prompt(String text, int[] tokenIds) {
        public static Prompt of(String text) {
            return new Prompt(text, null);
        }
    }

    public CompletionRequest {
        prompts = List.copyOf(prompts);
    }

    /** A plain request for one text prompt, handy outside HTTP (the HumanEval runner). */
    public static CompletionRequest of(String prompt, int n, GenerationParams params) {
        return new CompletionRequest(null, List.of(Prompt.of(prompt)), params.maxTokens(), params.sampling(), params.seed(),
                n, params.stop(), false, params.logprobs(), false, false);
    }

    /**
     * Whether this request may run on the model served as {@code servedId}. A missing model field is
     * accepted (OpenAI requires it, but our clients and the HumanEval runner have always left it out).
     */
    public boolean asksFor(String servedId) {
        return model == null || model.equals(LATEST) || model.equals(servedId);
    }
}
