package dev.streamparrot.inference.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * A completion as OpenAI's {@code text_completion} object. The same shape serves the whole
 * response and each streamed chunk (then finish_reason stays null until a choice ends, and
 * usage is null except in the optional last chunk, which has no choices). {@code model} names the checkpoint
 * that answered and {@code systemFingerprint} its step and data frontier (OpenAI's field; see CheckpointProvenance).
 */
public record CompletionResponse(String id, long created, String model, String systemFingerprint, List<Choice> choices,
                                 Usage usage) {

    /** What a server-sent event stream ends with. */
    public static final String SSE_DONE = "data: [DONE]\n\n";

    public CompletionResponse {
        choices = List.copyOf(choices);
    }

    /** @param logprobs null unless requested; @param finishReason "stop", "length", or null mid-stream */
    public record Choice(int index, String text, Logprobs logprobs, String finishReason) {}

    /**
     * Legacy completions log-probabilities: per token its text, log-probability (null for the first
     * echoed prompt token and for echoed prompt tokens in general here), the most likely
     * alternatives (token text to log-probability) and where its text starts in the choice text.
     */
    public record Logprobs(List<String> tokens, List<Double> tokenLogprobs, List<Map<String, Double>> topLogprobs,
                           List<Integer> textOffset) {}

    public record Usage(int promptTokens, int completionTokens) {
        public int totalTokens() {
            return promptTokens + completionTokens;
        }
    }

    public ObjectNode toJson() {
        JsonNodeFactory json = JsonNodeFactory.instance;
        ObjectNode root = json.objectNode();
        root.put("id", id);
        root.put("object", "text_completion");
        root.put("created", created);
        root.put("model", model);
        root.put("system_fingerprint", systemFingerprint);
        ArrayNode array = root.putArray("choices");
        for (Choice c : choices) {
            ObjectNode choice = array.addObject();
            choice.put("index", c.index());
            choice.put("text", c.text());
            if (c.logprobs() == null) choice.putNull("logprobs");
            else choice.set("logprobs", logprobsJson(c.logprobs()));
            choice.put("finish_reason", c.finishReason());
        }
        if (usage == null) {
            root.putNull("usage");
        } else {
            ObjectNode u = root.putObject("usage");
            u.put("prompt_tokens", usage.promptTokens());
            u.put("completion_tokens", usage.completionTokens());
            u.put("total_tokens", usage.totalTokens());
        }
        return root;
    }

    /** One server-sent event: {@code data: {...}\n\n}. */
    public String toSseEvent() {
        return "data: " + toJson() + "\n\n";
    }

    private static ObjectNode logprobsJson(Logprobs lp) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        ArrayNode tokens = node.putArray("tokens");
        lp.tokens().forEach(tokens::add);
        ArrayNode values = node.putArray("token_logprobs");
        lp.tokenLogprobs().forEach(v -> {
            if (v == null) values.addNull();
            else values.add(v);
        });
        ArrayNode top = node.putArray("top_logprobs");
        for (Map<String, Double> alternatives : lp.topLogprobs()) {
            if (alternatives == null) {
                top.addNull();
                continue;
            }
            ObjectNode entry = top.addObject();
            alternatives.forEach(entry::put);
        }
        ArrayNode offsets = node.putArray("text_offset");
        lp.textOffset().forEach(offsets::add);
        return node;
    }
}
