package dev.streamparrot.inference.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamparrot.inference.sampling.SamplingParams;
import dev.streamparrot.inference.sampling.StopSequences;
import java.util.ArrayList;
import java.util.List;

/**
 * A validated {@code POST /v1/completions} body (OpenAI legacy completions, as vLLM serves it).
 * Fields we do not know are ignored, as vLLM does; fields we know must have the right type.
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
    public static CompletionRequest of(String prompt, int n, int maxTokens, SamplingParams sampling, Long seed,
                                       StopSequences stop) {
        return new CompletionRequest(null, List.of(Prompt.of(prompt)), maxTokens, sampling, seed, n, stop, false, -1,
                false, false);
    }

    /**
     * Whether this request may run on the model served as {@code servedId}. A missing model field is
     * accepted (OpenAI requires it, but our clients and the HumanEval runner have always left it out).
     */
    public boolean asksFor(String servedId) {
        return model == null || model.equals(LATEST) || model.equals(servedId);
    }

    public static CompletionRequest fromJson(JsonNode body) {
        if (body == null || !body.isObject()) throw ApiException.invalid(null, "The request body must be a JSON object.");
        Fields f = new Fields(body);
        String model = f.string("model");
        List<Prompt> prompts = prompts(body.get("prompt"));
        int maxTokens = f.integer("max_tokens", DEFAULT_MAX_TOKENS);
        if (maxTokens < 1) throw ApiException.invalid("max_tokens", "max_tokens must be at least 1, got " + maxTokens + ".");
        double temperature = f.number("temperature", SamplingParams.DEFAULT.temperature());
        if (temperature < 0) throw ApiException.invalid("temperature", "temperature must be non-negative, got " + temperature + ".");
        double topP = f.number("top_p", SamplingParams.DEFAULT.topP());
        if (!(topP > 0 && topP <= 1)) throw ApiException.invalid("top_p", "top_p must be in (0, 1], got " + topP + ".");
        int topK = f.integer("top_k", SamplingParams.DEFAULT.topK());
        if (topK < -1) throw ApiException.invalid("top_k", "top_k must be -1 (disable), 0 (disable) or at least 1, got " + topK + ".");
        int n = f.integer("n", 1);
        if (n < 1 || n > MAX_N) throw ApiException.invalid("n", "n must be between 1 and " + MAX_N + ", got " + n + ".");
        Long seed = f.longOrNull("seed");
        StopSequences stop = stop(body.get("stop"));
        boolean echo = f.bool("echo", false);
        int logprobs = f.integer("logprobs", -1);
        if (f.has("logprobs") && (logprobs < 0 || logprobs > MAX_LOGPROBS)) {
            throw ApiException.invalid("logprobs", "logprobs must be between 0 and " + MAX_LOGPROBS + ", got " + logprobs + ".");
        }
        boolean stream = f.bool("stream", false);
        boolean includeUsage = false;
        JsonNode options = body.get("stream_options");
        if (options != null && !options.isNull()) {
            if (!options.isObject()) throw ApiException.invalid("stream_options", "stream_options must be an object.");
            if (!stream) throw ApiException.invalid("stream_options", "stream_options can only be set when stream is true.");
            includeUsage = new Fields(options).bool("include_usage", false);
        }
        refuseUnsupported(f, n);
        return new CompletionRequest(model, prompts, maxTokens, new SamplingParams(temperature, topP, Math.max(topK, 0)),
                seed, n, stop, echo, logprobs, stream, includeUsage);
    }

    /** OpenAI fields we accept only at their no-op value: better a clear 400 than a silent difference. */
    private static void refuseUnsupported(Fields f, int n) {
        f.string("user");
        if (f.string("suffix") != null) throw ApiException.invalid("suffix", "suffix is not supported.");
        for (String penalty : List.of("presence_penalty", "frequency_penalty")) {
            if (f.number(penalty, 0) != 0) throw ApiException.invalid(penalty, penalty + " is not supported; leave it at 0.");
        }
        if (f.has("best_of") && f.integer("best_of", n) != n) {
            throw ApiException.invalid("best_of", "best_of is not supported; leave it unset or equal to n.");
        }
        JsonNode bias = f.node("logit_bias");
        if (bias != null && !bias.isNull()) {
            if (!bias.isObject()) throw ApiException.invalid("logit_bias", "logit_bias must be an object.");
            if (bias.size() > 0) throw ApiException.invalid("logit_bias", "logit_bias is not supported.");
        }
    }

    private static List<Prompt> prompts(JsonNode node) {
        String expected = "prompt must be a string, a list of strings, a list of token ids or a list of token id lists.";
        if (node == null || node.isNull()) throw ApiException.invalid("prompt", "prompt is required.");
        if (node.isTextual()) return List.of(Prompt.of(node.textValue()));
        if (!node.isArray() || node.isEmpty()) throw ApiException.invalid("prompt", expected);
        List<Prompt> prompts = new ArrayList<>();
        if (node.get(0).isIntegralNumber()) {
            prompts.add(new Prompt(null, tokenIds(node, expected)));
            return prompts;
        }
        for (JsonNode item : node) {
            if (item.isTextual()) prompts.add(Prompt.of(item.textValue()));
            else if (item.isArray()) prompts.add(new Prompt(null, tokenIds(item, expected)));
            else throw ApiException.invalid("prompt", expected);
        }
        return prompts;
    }

    private static int[] tokenIds(JsonNode array, String expected) {
        if (array.isEmpty()) throw ApiException.invalid("prompt", "a token id prompt must not be empty.");
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode id = array.get(i);
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
                throw ApiException.invalid("prompt", expected);
            }
            ids[i] = id.intValue();
        }
        return ids;
    }

    private static StopSequences stop(JsonNode node) {
        if (node == null || node.isNull()) return StopSequences.NONE;
        List<String> strings = new ArrayList<>();
        if (node.isTextual()) {
            if (StopSequences.preset(node.textValue()).isPresent()) return StopSequences.preset(node.textValue()).get();
            strings.add(node.textValue());
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                if (!item.isTextual()) throw ApiException.invalid("stop", "stop must be a string or a list of strings.");
                strings.add(item.textValue());
            }
        } else {
            throw ApiException.invalid("stop", "stop must be a string or a list of strings.");
        }
        if (strings.stream().anyMatch(String::isEmpty)) throw ApiException.invalid("stop", "stop sequences must not be empty.");
        return new StopSequences(strings);
    }

    /** Typed access to optional fields: null or absent gives the default, a wrong type a 400. */
    private record Fields(JsonNode body) {
        boolean has(String name) {
            return node(name) != null && !node(name).isNull();
        }

        JsonNode node(String name) {
            return body.get(name);
        }

        String string(String name) {
            if (!has(name)) return null;
            if (!node(name).isTextual()) throw wrongType(name, "a string");
            return node(name).textValue();
        }

        int integer(String name, int fallback) {
            if (!has(name)) return fallback;
            JsonNode v = node(name);
            if (!isWhole(v) || !v.canConvertToInt()) throw wrongType(name, "an integer");
            return v.intValue();
        }

        Long longOrNull(String name) {
            if (!has(name)) return null;
            JsonNode v = node(name);
            if (!isWhole(v) || !v.canConvertToLong()) throw wrongType(name, "an integer");
            return v.longValue();
        }

        double number(String name, double fallback) {
            if (!has(name)) return fallback;
            if (!node(name).isNumber()) throw wrongType(name, "a number");
            return node(name).doubleValue();
        }

        boolean bool(String name, boolean fallback) {
            if (!has(name)) return fallback;
            if (!node(name).isBoolean()) throw wrongType(name, "a boolean");
            return node(name).booleanValue();
        }

        /** 16 and 16.0 are both whole; vLLM (pydantic) accepts both for integer fields. */
        private static boolean isWhole(JsonNode v) {
            return v.isIntegralNumber() || (v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()));
        }

        private ApiException wrongType(String name, String type) {
            return ApiException.invalid(name, name + " must be " + type + ", got " + node(name) + ".");
        }
    }
}
