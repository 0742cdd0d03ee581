package dev.streamparrot.inference.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;
import java.util.Map;

/**
 * A completion as OpenAI's {@code text_completion} object. The same shape serves the whole
 * response and each streamed chunk (then finish_reason stays null until a choice ends, and
 * usage is null except in the optional last chunk, which has no choices). {@code model} names the checkpoint
 * that answered and {@code systemFingerprint} its step and data frontier (OpenAI's field; see CheckpointProvenance).
 * Micronaut's serde writes it (null fields too, as OpenAI does), for the whole response and each event.
 */
@Serdeable
@JsonInclude(JsonInclude.Include.ALWAYS)
public record CompletionResponse(String id, String object, long created, String model,
                                 @JsonProperty("system_fingerprint") String systemFingerprint, List<Choice> choices,
                                 Usage usage) {

    /** What a server-sent event stream ends with. */
    public static final String SSE_DONE = "data: [DONE]\n\n";

    /** {@code object}: OpenAI's name of this type, the same in every response. */
    public static final String TEXT_COMPLETION = "text_completion";

    public CompletionResponse {
        if (!TEXT_COMPLETION.equals(object)) throw new IllegalArgumentException("object must be " + TEXT_COMPLETION);
        choices = List.copyOf(choices);
    }

    /** @param logprobs null unless requested; @param finishReason "stop", "length", or null mid-stream */
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Choice(int index, String text, Logprobs logprobs, @JsonProperty("finish_reason") String finishReason) {}

    /**
     * Legacy completions log-probabilities: per token its text, log-probability (null for the first
     * echoed prompt token and for echoed prompt tokens in general here), the most likely
     * alternatives (token text to log-probability) and where its text starts in the choice text.
     */
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Logprobs(List<String> tokens, @JsonProperty("token_logprobs") List<Double> tokenLogprobs,
                           @JsonProperty("top_logprobs") List<Map<String, Double>> topLogprobs,
                           @JsonProperty("text_offset") List<Integer> textOffset) {}

    @Serdeable
    public record Usage(@JsonProperty("prompt_tokens") int promptTokens,
                        @JsonProperty("completion_tokens") int completionTokens) {
        @JsonProperty("total_tokens")
        public int totalTokens() {
            return promptTokens + completionTokens;
        }
    }
}
