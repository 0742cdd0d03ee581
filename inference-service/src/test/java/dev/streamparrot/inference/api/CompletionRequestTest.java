package dev.streamparrot.inference.api;

import dev.streamparrot.inference.testing.Requests;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamparrot.model.generate.StopSequences;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class CompletionRequestTest {

    static CompletionRequest parse(String json) throws Exception {
        return Requests.parse(json);
    }

    @Test
    void defaultsFollowTheBookAndOpenAI() throws Exception {
        CompletionRequest r = parse("{\"prompt\": \"def f():\"}");
        assertEquals(16, r.maxTokens());
        assertEquals(0.4, r.sampling().temperature());
        assertEquals(0.95, r.sampling().topP());
        assertEquals(0, r.sampling().topK());
        assertEquals(1, r.n());
        assertEquals(-1, r.logprobs());
        assertNull(r.seed());
        assertNull(r.model());
        assertFalse(r.echo() || r.stream() || r.includeUsage());
        assertEquals(StopSequences.NONE, r.stop());
    }

    @Test
    void everyFieldIsRead() throws Exception {
        CompletionRequest r = parse("""
                {"model": "codeparrot-small", "prompt": ["a", "b"], "max_tokens": 32, "temperature": 0,
                 "top_p": 0.5, "top_k": -1, "n": 3, "stop": ["\\n\\n", "END"], "seed": 12345678901,
                 "echo": true, "logprobs": 2, "stream": true, "stream_options": {"include_usage": true},
                 "user": "me", "presence_penalty": 0, "best_of": 3, "logit_bias": {}, "some_new_field": [1]}""");
        assertEquals("codeparrot-small", r.model());
        assertEquals(List.of("a", "b"), r.prompts().stream().map(CompletionRequest.Prompt::text).toList());
        assertEquals(32, r.maxTokens());
        assertTrue(r.sampling().greedy());
        assertEquals(0.5, r.sampling().topP());
        assertEquals(0, r.sampling().topK(), "vLLM's -1 means off, as 0 does");
        assertEquals(3, r.n());
        assertEquals(List.of("\n\n", "END"), r.stop().strings());
        assertEquals(12345678901L, r.seed());
        assertTrue(r.echo() && r.stream() && r.includeUsage());
        assertEquals(2, r.logprobs());
    }

    @Test
    void promptsMayBeTokenIds() throws Exception {
        CompletionRequest one = parse("{\"prompt\": [1, 2, 3]}");
        assertEquals(1, one.prompts().size());
        assertArrayEquals(new int[] {1, 2, 3}, one.prompts().get(0).tokenIds());
        CompletionRequest two = parse("{\"prompt\": [[1], [2, 3]]}");
        assertArrayEquals(new int[] {2, 3}, two.prompts().get(1).tokenIds());
    }

    @Test
    void stopMayBeAStringOrThePresetName() throws Exception {
        assertEquals(List.of("###"), parse("{\"prompt\": \"x\", \"stop\": \"###\"}").stop().strings());
        assertEquals(StopSequences.CODE_FIRST_BLOCK, parse("{\"prompt\": \"x\", \"stop\": \"code-first-block\"}").stop());
    }

    @Test
    void wholeFloatsAreAcceptedForIntegers() throws Exception {
        assertEquals(10, parse("{\"prompt\": \"x\", \"max_tokens\": 10.0}").maxTokens());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            {"prompt": "x", "max_tokens": "ten"}                    | max_tokens       | must be an integer
            {"prompt": "x", "max_tokens": 1.5}                      | max_tokens       | must be an integer
            {"prompt": "x", "max_tokens": 0}                        | max_tokens       | at least 1
            {"prompt": "x", "temperature": -0.1}                    | temperature      | non-negative
            {"prompt": "x", "temperature": "hot"}                   | temperature      | must be a number
            {"prompt": "x", "top_p": 0}                             | top_p            | (0, 1]
            {"prompt": "x", "top_p": 1.01}                          | top_p            | (0, 1]
            {"prompt": "x", "top_k": -2}                            | top_k            | top_k must be
            {"prompt": "x", "n": 0}                                 | n                | n must be between
            {"prompt": "x", "n": 129}                               | n                | n must be between
            {"prompt": "x", "n": true}                              | n                | must be an integer
            {"prompt": "x", "logprobs": 6}                          | logprobs         | between 0 and 5
            {"prompt": "x", "logprobs": -1}                         | logprobs         | between 0 and 5
            {"prompt": "x", "logprobs": "yes"}                      | logprobs         | must be an integer
            {"prompt": "x", "echo": "yes"}                          | echo             | must be a boolean
            {"prompt": "x", "stream": 1}                            | stream           | must be a boolean
            {"prompt": "x", "seed": "abc"}                          | seed             | must be an integer
            {"prompt": "x", "stop": 5}                              | stop             | string or a list
            {"prompt": "x", "stop": ["a", 5]}                       | stop             | string or a list
            {"prompt": "x", "stop": [""]}                           | stop             | must not be empty
            {"prompt": "x", "stream_options": {"include_usage": true}} | stream_options | only be set when stream
            {"prompt": "x", "stream": true, "stream_options": 3}    | stream_options   | must be an object
            {"prompt": "x", "stream": true, "stream_options": {"include_usage": "y"}} | include_usage | must be a boolean
            {"prompt": "x", "model": 7}                             | model            | must be a string
            {"prompt": "x", "user": 7}                              | user             | must be a string
            {"prompt": "x", "suffix": "end"}                        | suffix           | not supported
            {"prompt": "x", "presence_penalty": 0.5}                | presence_penalty | not supported
            {"prompt": "x", "frequency_penalty": "a"}               | frequency_penalty | must be a number
            {"prompt": "x", "best_of": 4}                           | best_of          | not supported
            {"prompt": "x", "logit_bias": {"50256": -100}}          | logit_bias       | not supported
            {"max_tokens": 5}                                       | prompt           | prompt is required
            {"prompt": 5}                                           | prompt           | prompt must be
            {"prompt": []}                                          | prompt           | prompt must be
            {"prompt": [[]]}                                        | prompt           | must not be empty
            {"prompt": [1, "a"]}                                    | prompt           | prompt must be
            {"prompt": [-1]}                                        | prompt           | prompt must be
            {"prompt": ["a", {"b": 1}]}                             | prompt           | prompt must be
            """)
    void badRequestsAre400sNamingTheField(String body, String param, String message) {
        ApiException e = assertThrows(ApiException.class, () -> parse(body));
        assertEquals(400, e.status());
        assertEquals(param, e.param());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        ErrorBody.Detail error = e.body().error();
        assertEquals("invalid_request_error", error.type());
        assertEquals(param, error.param());
        assertEquals(e.getMessage(), error.message());
    }

    @Test
    void aBodyThatIsNotAnObjectIs400() {
        assertEquals(400, assertThrows(ApiException.class, () -> parse("[1]")).status());
    }
}
