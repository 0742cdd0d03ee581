package dev.streamparrot.inference.api;

import dev.streamparrot.inference.testing.Requests;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamparrot.inference.api.CompletionResponse.Choice;
import dev.streamparrot.model.generate.Cancellation;
import dev.streamparrot.model.generate.ByteCodec;
import dev.streamparrot.inference.testing.FakeModel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CompletionServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ByteCodec CODEC = new ByteCodec();

    private static int[] bytes(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return IntStream.range(0, b.length).map(i -> b[i] & 0xFF).toArray();
    }

    private static int[] concat(int[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToInt(java.util.Arrays::stream).toArray();
    }

    private static CompletionService service(FakeModel model) {
        return new CompletionService(model, CODEC, "fake", "step-7;frontier=0:3");
    }

    private static CompletionResponse complete(FakeModel model, String body) throws Exception {
        return service(model).prepare(Requests.parse(body)).run(Cancellation.NEVER);
    }

    private static List<CompletionResponse> stream(FakeModel model, String body, Cancellation cancellation) throws Exception {
        List<CompletionResponse> chunks = new ArrayList<>();
        service(model).prepare(Requests.parse(body)).stream(cancellation, chunks::add);
        return chunks;
    }

    /** "    return x" then, one byte per token, "\ndef g():" */
    private static final int[] FUNCTION_THEN_NEXT_DEF = concat(bytes("    "), new int[] {ByteCodec.RET, ByteCodec.URN},
            bytes(" x\ndef g():"));

    @Test
    void aStopSequenceSpreadOverFourTokensEndsTheChoiceAndIsNotIncluded() throws Exception {
        FakeModel model = FakeModel.spelling(256, FUNCTION_THEN_NEXT_DEF);
        CompletionResponse r = complete(model, "{\"prompt\": \"def f():\", \"max_tokens\": 50, \"stop\": \"code-first-block\"}");
        Choice c = r.choices().get(0);
        assertEquals("    return x", c.text());
        assertEquals("stop", c.finishReason());
        // 4 spaces + ret + urn + " x" + the 4 tokens of "\ndef"
        assertEquals(4 + 2 + 2 + 4, r.usage().completionTokens());
        assertEquals(8, r.usage().promptTokens());
        assertEquals(20, r.usage().totalTokens());
    }

    @Test
    void aStopSequenceInsideOneTokenCutsThatTokensText() throws Exception {
        FakeModel model = FakeModel.spelling(256, concat(bytes("pass"), new int[] {ByteCodec.NEWLINE_DEF}, bytes(" g")));
        CompletionResponse r = complete(model, "{\"prompt\": \"x\", \"max_tokens\": 50, \"stop\": [\"\\nd\"]}");
        assertEquals("pass", r.choices().get(0).text());
        assertEquals("stop", r.choices().get(0).finishReason());
    }

    @Test
    void maxTokensEndsWithLengthAndEndOfTextWithStop() throws Exception {
        FakeModel model = FakeModel.spelling(256, bytes("hello world"));
        CompletionResponse cut = complete(model, "{\"prompt\": \"x\", \"max_tokens\": 5}");
        assertEquals("hello", cut.choices().get(0).text());
        assertEquals("length", cut.choices().get(0).finishReason());
        assertEquals(5, cut.usage().completionTokens());
        assertEquals(4, model.steps, "no forward pass is spent after the last token");

        CompletionResponse whole = complete(FakeModel.spelling(256, bytes("hello world")), "{\"prompt\": \"x\", \"max_tokens\": 50}");
        assertEquals("hello world", whole.choices().get(0).text());
        assertEquals("stop", whole.choices().get(0).finishReason());
        assertEquals(12, whole.usage().completionTokens(), "the end-of-text token counts");
    }

    @Test
    void sameSeedSameTextOtherSeedOtherText() throws Exception {
        String body = "{\"prompt\": \"import \", \"max_tokens\": 24, \"temperature\": 1.0, \"top_p\": 1, \"n\": 3, \"seed\": %d}";
        List<String> first = texts(complete(FakeModel.noisy(256), body.formatted(7)));
        assertEquals(first, texts(complete(FakeModel.noisy(256), body.formatted(7))));
        assertNotEquals(first, texts(complete(FakeModel.noisy(256), body.formatted(8))));
        assertEquals(3, first.stream().distinct().count(), "the n choices sample independently");
        // a choice does not depend on how many others share its batch
        String single = "{\"prompt\": \"import \", \"max_tokens\": 24, \"temperature\": 1.0, \"top_p\": 1, \"seed\": 7}";
        assertEquals(first.get(0), texts(complete(FakeModel.noisy(256), single)).get(0));
    }

    @Test
    void greedyIsDeterministicWithoutASeed() throws Exception {
        String body = "{\"prompt\": \"import \", \"max_tokens\": 24, \"temperature\": 0}";
        assertEquals(texts(complete(FakeModel.noisy(256), body)), texts(complete(FakeModel.noisy(256), body)));
    }

    private static List<String> texts(CompletionResponse r) {
        return r.choices().stream().map(Choice::text).toList();
    }

    @Test
    void nChoicesPerPromptAreIndexedPromptMajorAndDecodedInOneBatch() throws Exception {
        FakeModel model = FakeModel.spelling(256, bytes("ok"));
        CompletionResponse r = complete(model, "{\"prompt\": [\"a\", \"bb\"], \"n\": 2, \"max_tokens\": 8, \"echo\": true}");
        assertEquals(List.of(0, 1, 2, 3), r.choices().stream().map(Choice::index).toList());
        assertEquals(List.of("aok", "aok", "bbok", "bbok"), texts(r));
        assertEquals(1, model.batches);
        assertEquals(4, model.maxRows);
        assertEquals(3, r.usage().promptTokens(), "each prompt counts once, whatever n");
        assertEquals(4 * 3, r.usage().completionTokens());
    }

    @Test
    void echoOfTokenIdPromptsDecodesThem() throws Exception {
        CompletionResponse r = complete(FakeModel.spelling(256, bytes("!")), "{\"prompt\": [104, 105], \"max_tokens\": 1, \"echo\": true}");
        assertEquals("hi!", r.choices().get(0).text());
    }

    @Test
    void logprobsDescribeEachTokenAtItsOffset() throws Exception {
        CompletionResponse r = complete(FakeModel.noisy(256),
                "{\"prompt\": \"ab\", \"max_tokens\": 6, \"temperature\": 0, \"logprobs\": 2, \"echo\": true}");
        CompletionResponse.Logprobs lp = r.choices().get(0).logprobs();
        String text = r.choices().get(0).text();
        assertEquals(2 + 6, lp.tokens().size());
        assertEquals(List.of("a", "b"), lp.tokens().subList(0, 2));
        assertNull(lp.tokenLogprobs().get(0));
        for (int i = 0; i + 1 < lp.tokens().size(); i++) {
            assertEquals(lp.textOffset().get(i) + lp.tokens().get(i).length(), (int) lp.textOffset().get(i + 1));
        }
        for (int i = 2; i < lp.tokens().size(); i++) {
            if (String.join("", lp.tokens().subList(0, i + 1)).contains("\uFFFD")) break; // half characters: offsets count token strings
            assertTrue(text.startsWith(lp.tokens().get(i), lp.textOffset().get(i)), "token " + i + " at its offset");
        }
        for (int i = 2; i < lp.tokens().size(); i++) {
            double logprob = lp.tokenLogprobs().get(i);
            assertTrue(logprob < 0);
            // greedy: the chosen token is the most likely one, listed first
            assertEquals(logprob, lp.topLogprobs().get(i).values().iterator().next(), 1e-9);
            assertTrue(lp.topLogprobs().get(i).size() <= 3);
        }
        // the raw distribution: exp(logprobs) of all tokens would sum to 1, so the top one is below 0 and above log(1/vocab)
        assertTrue(lp.tokenLogprobs().get(2) > Math.log(1.0 / ByteCodec.VOCAB));
        assertNull(complete(FakeModel.noisy(256), "{\"prompt\": \"ab\", \"max_tokens\": 2}").choices().get(0).logprobs());
    }

    @Test
    void streamedChunksAddUpToTheCompletionAndNeverShowAPartialStop() throws Exception {
        FakeModel model = FakeModel.spelling(256, FUNCTION_THEN_NEXT_DEF);
        String body = "{\"prompt\": \"def f():\", \"max_tokens\": 50, \"stop\": \"code-first-block\", \"n\": 2, \"stream\": true,"
                + " \"stream_options\": {\"include_usage\": true}, \"logprobs\": 0}";
        List<CompletionResponse> chunks = stream(model, body, Cancellation.NEVER);
        StringBuilder[] text = {new StringBuilder(), new StringBuilder()};
        int[] finishes = new int[2];
        int tokensWithLogprobs = 0;
        for (CompletionResponse chunk : chunks.subList(0, chunks.size() - 1)) {
            assertEquals(chunks.get(0).id(), chunk.id());
            assertNull(chunk.usage());
            assertEquals(1, chunk.choices().size());
            Choice c = chunk.choices().get(0);
            assertEquals(0, finishes[c.index()], "nothing after a choice's finish_reason");
            text[c.index()].append(c.text());
            assertFalse(text[c.index()].toString().contains("\n"), "a prefix of \\ndef reached the client");
            tokensWithLogprobs += c.logprobs().tokens().size();
            if (c.finishReason() != null) {
                assertEquals("stop", c.finishReason());
                finishes[c.index()]++;
            }
        }
        assertEquals("    return x", text[0].toString());
        assertEquals("    return x", text[1].toString());
        assertArrayEquals(new int[] {1, 1}, finishes);
        CompletionResponse usage = chunks.get(chunks.size() - 1);
        assertTrue(usage.choices().isEmpty());
        assertEquals(2 * 12, usage.usage().completionTokens());
        assertEquals(2 * 12, tokensWithLogprobs, "logprobs of held-back tokens arrive with the next chunk");
        JsonNode json = JSON.readTree(Requests.json(chunks.get(0)));
        assertTrue(json.get("usage").isNull());
        assertTrue(json.get("choices").get(0).get("finish_reason").isNull());
        assertEquals("data: [DONE]\n\n", CompletionResponse.SSE_DONE);
    }

    @Test
    void streamingNeverSplitsACharacter() throws Exception {
        int[] script = concat(bytes("a"), new int[] {ByteCodec.EURO_HEAD, 0xAC}, bytes("b"));
        List<CompletionResponse> chunks = stream(FakeModel.spelling(64, script), "{\"prompt\": \"x\", \"max_tokens\": 10, \"stream\": true}",
                Cancellation.NEVER);
        List<String> texts = chunks.stream().map(c -> c.choices().get(0).text()).toList();
        assertEquals(List.of("a", "\u20ac", "b", ""), texts);
        assertEquals("stop", chunks.get(3).choices().get(0).finishReason());
    }

    @Test
    void streamingEchoSendsThePromptFirst() throws Exception {
        List<CompletionResponse> chunks = stream(FakeModel.spelling(64, bytes("yz")),
                "{\"prompt\": \"wx\", \"max_tokens\": 2, \"stream\": true, \"echo\": true}", Cancellation.NEVER);
        assertEquals("wx", chunks.get(0).choices().get(0).text());
        assertEquals("wxyz", chunks.stream().map(c -> c.choices().get(0).text()).reduce("", String::concat));
        assertEquals("length", chunks.get(chunks.size() - 1).choices().get(0).finishReason());
    }

    @Test
    void aCancelledStreamStopsGenerating() throws Exception {
        FakeModel model = FakeModel.spelling(4096, bytes("x".repeat(1000)));
        List<CompletionResponse> chunks = new ArrayList<>();
        CompletionService.Completion completion = service(model).prepare(
                Requests.parse("{\"prompt\": \"x\", \"max_tokens\": 1000, \"stream\": true}"));
        completion.stream(() -> chunks.size() >= 3, chunks::add);
        assertEquals(3, chunks.size());
        assertTrue(model.steps <= 3, "steps after the cancel: " + model.steps);
        assertNull(chunks.get(chunks.size() - 1).choices().get(0).finishReason());

        CompletionService.Completion again = service(FakeModel.noisy(4096)).prepare(
                Requests.parse("{\"prompt\": \"x\", \"max_tokens\": 1000}"));
        Iterator<Boolean> answers = List.of(false, false, true, true, true).iterator();
        assertThrows(CancellationException.class, () -> again.run(() -> !answers.hasNext() || answers.next()));
    }

    @Test
    void promptPlusMaxTokensBeyondTheContextIs400() throws Exception {
        FakeModel model = FakeModel.spelling(32, bytes("z"));
        // exactly full is fine
        assertEquals("z", complete(model, "{\"prompt\": \"" + "a".repeat(16) + "\", \"max_tokens\": 16}").choices().get(0).text());
        ApiException e = assertThrows(ApiException.class,
                () -> complete(model, "{\"prompt\": \"" + "a".repeat(17) + "\", \"max_tokens\": 16}"));
        assertEquals(400, e.status());
        assertEquals("context_length_exceeded", e.code());
        assertTrue(e.getMessage().contains("maximum context length is 32 tokens"), e.getMessage());
        assertTrue(e.getMessage().contains("33 tokens (17 in the prompt, 16 in the completion)"), e.getMessage());
        ApiException list = assertThrows(ApiException.class,
                () -> complete(model, "{\"prompt\": [\"a\", \"" + "b".repeat(40) + "\"], \"max_tokens\": 1}"));
        assertEquals("max_tokens", list.param());
    }

    @Test
    void onlyTheServedModelOrItsAliasIsServed() throws Exception {
        FakeModel model = FakeModel.spelling(256, bytes("ok"));
        ApiException e = assertThrows(ApiException.class, () -> complete(model, "{\"model\": \"nope\", \"prompt\": \"x\"}"));
        assertEquals(404, e.status());
        assertEquals("model_not_found", e.code());
        assertEquals("model", e.param());
        assertEquals("The model `nope` does not exist.", e.getMessage());
        assertEquals(0, model.steps, "nothing was generated for it");
        for (String name : List.of("fake", "latest")) {
            assertEquals("fake", complete(model, "{\"model\": \"" + name + "\", \"prompt\": \"x\"}").model());
        }
        assertEquals("fake", complete(model, "{\"prompt\": \"x\"}").model(), "no model field: the served one");
    }

    @Test
    void tokenIdsOutsideTheVocabularyAre400() {
        ApiException e = assertThrows(ApiException.class,
                () -> complete(FakeModel.noisy(64), "{\"prompt\": [1, " + ByteCodec.VOCAB + "]}"));
        assertEquals("prompt", e.param());
    }

    @Test
    void anEmptyPromptStartsAfterEndOfText() throws Exception {
        CompletionResponse r = complete(FakeModel.spelling(64, bytes("hi")), "{\"prompt\": \"\", \"max_tokens\": 2}");
        assertEquals("hi", r.choices().get(0).text());
        assertEquals(1, r.usage().promptTokens());
    }

    @Test
    void theResponseSerialisesAsOpenAIsTextCompletion() throws Exception {
        CompletionResponse r = complete(FakeModel.spelling(64, bytes("hi")), "{\"prompt\": \"x\", \"max_tokens\": 5, \"logprobs\": 1}");
        JsonNode json = JSON.readTree(Requests.json(r));
        assertEquals(List.of("id", "object", "created", "model", "system_fingerprint", "choices", "usage"), fieldNames(json));
        assertEquals("step-7;frontier=0:3", json.get("system_fingerprint").asText(), "OpenAI's field names the checkpoint's step and frontier");
        assertTrue(json.get("id").asText().startsWith("cmpl-"));
        assertEquals("text_completion", json.get("object").asText());
        assertEquals("fake", json.get("model").asText());
        assertTrue(Math.abs(json.get("created").asLong() - System.currentTimeMillis() / 1000) < 60);
        JsonNode choice = json.get("choices").get(0);
        assertEquals(List.of("index", "text", "logprobs", "finish_reason"), fieldNames(choice));
        assertEquals("hi", choice.get("text").asText());
        assertEquals("stop", choice.get("finish_reason").asText());
        assertEquals(List.of("tokens", "token_logprobs", "top_logprobs", "text_offset"), fieldNames(choice.get("logprobs")));
        assertEquals("h", choice.get("logprobs").get("tokens").get(0).asText());
        assertEquals(0, choice.get("logprobs").get("text_offset").get(0).asInt());
        assertEquals(1, choice.get("logprobs").get("text_offset").get(1).asInt());
        assertEquals(List.of("prompt_tokens", "completion_tokens", "total_tokens"), fieldNames(json.get("usage")));
        assertEquals(4, json.get("usage").get("total_tokens").asInt());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
