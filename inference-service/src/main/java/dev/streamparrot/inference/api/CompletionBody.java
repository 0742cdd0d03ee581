package dev.streamparrot.inference.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.streamparrot.model.generate.SamplingParams;
import dev.streamparrot.model.generate.StopSequences;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JSON body of {@code POST /v1/completions} (OpenAI legacy completions, as vLLM serves it), as Micronaut
 * reads it: the field types and the constraint annotations are the validation (a broken rule is a 400 naming
 * the field, written by the HTTP edge's {@code OpenAiErrors}). What annotations cannot say (a prompt that is text
 * or token ids, stop as a string or a list, fields we accept only at their no-op value) is checked by
 * {@link #toRequest()}. Fields we do not know are ignored, as vLLM does.
 *
 * <p>Each message starts with the field's JSON name, the {@code param} of OpenAI's error body. Mistyped scalars
 * ({@code "n": true}) are refused while reading, by {@link StrictScalar}.
 */
@Serdeable
public record CompletionBody(
        @Nullable @Serdeable.Deserializable(using = StrictScalar.class)
        String model,

        @NotNull(message = "prompt is required.")
        @Nullable Object prompt,

        @JsonProperty("max_tokens") @Nullable @Serdeable.Deserializable(using = StrictScalar.class)
        @Min(value = 1, message = "max_tokens must be at least 1.")
        Integer maxTokens,

        @Nullable @Serdeable.Deserializable(using = StrictScalar.class)
        @SamplingField(SamplingField.Rule.TEMPERATURE)
        Double temperature,

        @JsonProperty("top_p") @Nullable @Serdeable.Deserializable(using = StrictScalar.class)
        @SamplingField(SamplingField.Rule.TOP_P)
        Double topP,

        @JsonProperty("top_k") @Nullable @Serdeable.Deserializable(using = StrictScalar.class)
        @Min(value = -1, message = "top_k must be -1 (disable), 0 (disable) or at least 1.")
        Integer topK,

        @Nullable @Serdeable.Deserializable(using = StrictScalar.class)
        @Min(value = 1, message = "n must be between 1 and " + CompletionRequest.MAX_N + ".") @Max(value = CompletionRequest.MAX_N, message = "n must be between 1 and " + CompletionRequest.MAX_N + ".")
        Integer n,

        @Nullable @Serdeable.Deserializable(using = StrictScalar.class)
        Long seed,

        @Nullable Object stop,

        @Nullable @Serdeable.Deserializable(using = StrictScalar.class)
        Boolean echo,

        @Nullable @Serdeable.Deserializable(using = StrictScalar.class)
        Boolean stream,

        @Nullable @Serdeable.Deserializable(using = StrictScalar.class)
        @Min(value = 0, message = "logprobs must be between 0 and " + CompletionRequest.MAX_LOGPROBS + ".")
        @Max(value = CompletionRequest.MAX_LOGPROBS, message = "logprobs must be between 0 and " + CompletionRequest.MAX_LOGPROBS + ".")
        Integer logprobs,

        // an object with include_usage (a last chunk carries the token counts)
        @JsonProperty("stream_options") @Nullable Object streamOptions,

        @Nullable @Serdeable.Deserializable(using = StrictScalar.class)
        String user,

        @Nullable @Serdeable.Deserializable(using = StrictScalar.class)
        String suffix,

        @JsonProperty("presence_penalty") @Nullable @Serdeable.Deserializable(using = StrictScalar.class)
        Double presencePenalty,

        @JsonProperty("frequency_penalty") @Nullable @Serdeable.Deserializable(using = StrictScalar.class)
        Double frequencyPenalty,

        @JsonProperty("best_of") @Nullable @Serdeable.Deserializable(using = StrictScalar.class)
        Integer bestOf,

        @JsonProperty("logit_bias") @Nullable Object logitBias) {

    private static final String PROMPT_SHAPES =
            "prompt must be a string, a list of strings, a list of token ids or a list of token id lists.";

    /** The request the engine runs; a 400 for what the annotations cannot say. */
    public CompletionRequest toRequest() {
        refuseUnsupported();
        SamplingParams defaults = SamplingParams.DEFAULT;
        SamplingParams sampling = new SamplingParams(or(temperature, defaults.temperature()), or(topP, defaults.topP()),
                Math.max(or(topK, defaults.topK()), 0)); // vLLM's -1 means off, as 0 does
        boolean includeUsage = includeUsage(streamOptions, Boolean.TRUE.equals(stream));
        return new CompletionRequest(model, prompts(prompt), or(maxTokens, CompletionRequest.DEFAULT_MAX_TOKENS),
                sampling, seed, or(n, 1), stop(stop), Boolean.TRUE.equals(echo), or(logprobs, -1),
                Boolean.TRUE.equals(stream), includeUsage);
    }

    /** OpenAI fields we accept only at their no-op value: better a clear 400 than a silent difference. */
    private void refuseUnsupported() {
        if (suffix != null) throw ApiException.invalid("suffix", "suffix is not supported.");
        if (presencePenalty != null && presencePenalty != 0) {
            throw ApiException.invalid("presence_penalty", "presence_penalty is not supported; leave it at 0.");
        }
        if (frequencyPenalty != null && frequencyPenalty != 0) {
            throw ApiException.invalid("frequency_penalty", "frequency_penalty is not supported; leave it at 0.");
        }
        if (bestOf != null && bestOf.intValue() != or(n, 1)) {
            throw ApiException.invalid("best_of", "best_of is not supported; leave it unset or equal to n.");
        }
        if (logitBias != null && !(logitBias instanceof Map)) throw ApiException.invalid("logit_bias", "logit_bias must be an object.");
        if (logitBias instanceof Map<?, ?> bias && !bias.isEmpty()) {
            throw ApiException.invalid("logit_bias", "logit_bias is not supported.");
        }
    }

    private static boolean includeUsage(@Nullable Object options, boolean stream) {
        if (options == null) return false;
        if (!(options instanceof Map<?, ?> map)) throw ApiException.invalid("stream_options", "stream_options must be an object.");
        if (!stream) throw ApiException.invalid("stream_options", "stream_options can only be set when stream is true.");
        Object include = map.get("include_usage");
        if (include != null && !(include instanceof Boolean)) {
            throw ApiException.invalid("include_usage", "include_usage must be a boolean, got " + include + ".");
        }
        return Boolean.TRUE.equals(include);
    }

    private static List<CompletionRequest.Prompt> prompts(Object node) {
        if (node instanceof String text) return List.of(CompletionRequest.Prompt.of(text));
        if (!(node instanceof List<?> list) || list.isEmpty()) throw ApiException.invalid("prompt", PROMPT_SHAPES);
        if (list.get(0) instanceof Number) return List.of(new CompletionRequest.Prompt(null, tokenIds(list)));
        List<CompletionRequest.Prompt> prompts = new ArrayList<>();
        for (Object item : list) {
            if (item instanceof String text) prompts.add(CompletionRequest.Prompt.of(text));
            else if (item instanceof List<?> ids) prompts.add(new CompletionRequest.Prompt(null, tokenIds(ids)));
            else throw ApiException.invalid("prompt", PROMPT_SHAPES);
        }
        return prompts;
    }

    private static int[] tokenIds(List<?> list) {
        if (list.isEmpty()) throw ApiException.invalid("prompt", "a token id prompt must not be empty.");
        int[] ids = new int[list.size()];
        for (int i = 0; i < ids.length; i++) {
            // JSON numbers arrive as Integer when they fit, else Long, BigInteger or a floating type
            if (!(list.get(i) instanceof Integer id) || id < 0) throw ApiException.invalid("prompt", PROMPT_SHAPES);
            ids[i] = id;
        }
        return ids;
    }

    private static StopSequences stop(Object node) {
        if (node == null) return StopSequences.NONE;
        if (node instanceof String text && StopSequences.preset(text).isPresent()) return StopSequences.preset(text).get();
        List<?> items = node instanceof String text ? List.of(text) : node instanceof List<?> list ? list : null;
        if (items == null || !items.stream().allMatch(String.class::isInstance)) {
            throw ApiException.invalid("stop", "stop must be a string or a list of strings.");
        }
        List<String> strings = items.stream().map(String.class::cast).toList();
        if (strings.stream().anyMatch(String::isEmpty)) throw ApiException.invalid("stop", "stop sequences must not be empty.");
        return new StopSequences(strings);
    }

    private static <T> T or(@Nullable T value, T fallback) {
        return value != null ? value : fallback;
    }
}
