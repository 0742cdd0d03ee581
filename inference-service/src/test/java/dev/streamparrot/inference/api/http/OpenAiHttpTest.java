package dev.streamparrot.inference.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamparrot.inference.provenance.CheckpointProvenance;
import dev.streamparrot.inference.service.InferenceMetrics;
import dev.streamparrot.inference.service.LoadedModel;
import dev.streamparrot.inference.service.ModelSlot;
import dev.streamparrot.model.generate.ByteCodec;
import dev.streamparrot.inference.testing.FakeModel;
import dev.streamparrot.inference.testing.SlowModel;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP surface on the wire, with a fake model behind it (no Kafka): the exact SSE framing OpenAI's
 * clients parse, a client that hangs up mid-stream, 400s and 401s with OpenAI's error body.
 */
class OpenAiHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-test-2";
    private static EmbeddedServer server;
    private static HttpClient http;
    private static SlowModel slow;
    /** The served checkpoint's step and data frontier, which every response names as system_fingerprint. */
    private static final CheckpointProvenance PROVENANCE = new CheckpointProvenance(42L, new TreeMap<>(Map.of(0, 17L, 1, 5L)));

    @BeforeAll
    static void start() throws Exception {
        server = ApplicationContext.run(EmbeddedServer.class, Map.of(
                "micronaut.server.port", -1,
                "streamparrot.data-dir", java.nio.file.Files.createTempDirectory("inference-http-test").toString(),
                "streamparrot.inference.follow-checkpoints", false,
                "streamparrot.inference.api-keys", List.of("sk-test-1", KEY)));
        slow = new SlowModel(FakeModel.noisy(8192), 2);
        server.getApplicationContext().getBean(ModelSlot.class).swap(new LoadedModel("fake-1", PROVENANCE, slow, new ByteCodec(), () -> { }));
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> post(String path, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.getURL() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void streamIsServerSentEventsExactlyAsOpenAiSendsThem() throws Exception {
        HttpResponse<String> r = post("/v1/completions",
                "{\"model\": \"fake-1\", \"prompt\": \"def f():\", \"max_tokens\": 12, \"n\": 2, \"seed\": 5, \"stream\": true,"
                        + " \"stream_options\": {\"include_usage\": true}}", KEY);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("text/event-stream", r.headers().firstValue("content-type").orElse("").split(";")[0]);
        String body = r.body();
        assertTrue(body.endsWith("data: [DONE]\n\n"), body);
        String[] events = body.substring(0, body.length() - "data: [DONE]\n\n".length()).split("\n\n", -1);
        assertEquals("", events[events.length - 1], "every event ends with a blank line");
        StringBuilder[] texts = {new StringBuilder(), new StringBuilder()};
        JsonNode usage = null;
        for (int i = 0; i < events.length - 1; i++) {
            assertTrue(events[i].startsWith("data: {") && !events[i].contains("\n"), "one data line per event: " + events[i]);
            JsonNode chunk = JSON.readTree(events[i].substring("data: ".length()));
            assertEquals("text_completion", chunk.get("object").asText());
            assertEquals("fake-1", chunk.get("model").asText());
            assertEquals("step-42;frontier=0:17,1:5", chunk.get("system_fingerprint").asText());
            assertTrue(chunk.get("id").asText().startsWith("cmpl-"));
            for (JsonNode c : chunk.get("choices")) texts[c.get("index").asInt()].append(c.get("text").asText());
            if (!chunk.get("usage").isNull()) usage = chunk.get("usage");
        }
        assertEquals(24, usage.get("completion_tokens").asInt());
        // the same seed without streaming gives the same text
        JsonNode whole = JSON.readTree(post("/v1/completions",
                "{\"prompt\": \"def f():\", \"max_tokens\": 12, \"n\": 2, \"seed\": 5}", KEY).body());
        for (int i = 0; i < 2; i++) {
            assertEquals(whole.get("choices").get(i).get("text").asText(), texts[i].toString());
            assertEquals("length", whole.get("choices").get(i).get("finish_reason").asText());
        }
        assertEquals(8, whole.get("usage").get("prompt_tokens").asInt() * 1);
        assertEquals("fake-1", whole.get("model").asText());
        assertEquals("step-42;frontier=0:17,1:5", whole.get("system_fingerprint").asText(), "OpenAI's field: the checkpoint's step and frontier");
    }

    @Test
    void aClientThatHangsUpStopsItsGeneration() throws Exception {
        InferenceMetrics metrics = server.getApplicationContext().getBean(InferenceMetrics.class);
        double cancelledBefore = metrics.cancelledRequests();
        String body = "{\"prompt\": \"x\", \"max_tokens\": 8000, \"stream\": true}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        int stepsAtHangUp;
        try (Socket socket = new Socket(server.getHost(), server.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer " + KEY + "\r\nContent-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            while (count(seen.toString(StandardCharsets.UTF_8), "data: {") < 3) {
                int b = in.read();
                assertTrue(b >= 0, "stream ended early: " + seen);
                seen.write(b);
            }
            assertTrue(seen.toString(StandardCharsets.UTF_8).startsWith("HTTP/1.1 200"), seen.toString());
            stepsAtHangUp = slow.appended();
        }
        long deadline = System.currentTimeMillis() + 10_000;
        while (metrics.cancelledRequests() == cancelledBefore && System.currentTimeMillis() < deadline) Thread.sleep(20);
        assertEquals(cancelledBefore + 1, metrics.cancelledRequests(), 0.0, "the hang-up cancelled the request");
        int stepsAfterCancel = slow.appended();
        Thread.sleep(200);
        assertEquals(stepsAfterCancel, slow.appended(), "generation stopped");
        assertTrue(stepsAfterCancel - stepsAtHangUp < 8000 - 10, "stopped long before max_tokens: " + stepsAfterCancel);
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }

    @Test
    void badRequestsGet400WithOpenAisErrorBody() throws Exception {
        Map<String, String> cases = Map.of(
                "{\"prompt\": \"x\", ", "",
                "{\"prompt\": \"x\", \"max_tokens\": \"ten\"}", "max_tokens",
                "{\"prompt\": \"x\", \"temperature\": -0.5}", "temperature",
                "{\"prompt\": \"x\", \"top_p\": 0}", "top_p",
                "{\"prompt\": \"x\", \"top_p\": 1.5}", "top_p",
                "{\"prompt\": \"x\", \"max_tokens\": 9000}", "max_tokens",
                "{\"max_tokens\": 5}", "prompt",
                "[1, 2]", "",
                "{\"prompt\": \"x\", \"stop\": 7}", "stop",
                // Micronaut's serde alone would read true as 1: the field's StrictScalar refuses it
                "{\"prompt\": \"x\", \"n\": true}", "n");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> r = post("/v1/completions", c.getKey(), KEY);
            assertEquals(400, r.statusCode(), c.getKey() + " -> " + r.body());
            assertEquals("application/json", r.headers().firstValue("content-type").orElse("").split(";")[0]);
            JsonNode error = JSON.readTree(r.body()).get("error");
            assertEquals("invalid_request_error", error.get("type").asText(), r.body());
            assertTrue(error.get("message").asText().length() > 5, r.body());
            if (c.getValue().isEmpty()) assertTrue(error.get("param").isNull(), r.body());
            else assertEquals(c.getValue(), error.get("param").asText(), r.body());
        }
    }

    @Test
    void anUnknownModelIs404ModelNotFoundAsOpenAiAnswers() throws Exception {
        for (String stream : List.of("false", "true")) {
            HttpResponse<String> r = post("/v1/completions",
                    "{\"model\": \"nope\", \"prompt\": \"x\", \"max_tokens\": 2, \"stream\": " + stream + "}", KEY);
            assertEquals(404, r.statusCode(), r.body());
            assertEquals("application/json", r.headers().firstValue("content-type").orElse("").split(";")[0]);
            assertEquals(JSON.readTree("""
                    {"error": {"message": "The model `nope` does not exist.", "type": "invalid_request_error",
                               "param": "model", "code": "model_not_found"}}"""), JSON.readTree(r.body()));
        }
        // the served id, the alias "latest" and no model at all are the loaded model
        for (String model : List.of("\"model\": \"fake-1\", ", "\"model\": \"latest\", ", "")) {
            HttpResponse<String> r = post("/v1/completions", "{" + model + "\"prompt\": \"x\", \"max_tokens\": 2}", KEY);
            assertEquals(200, r.statusCode(), model + " -> " + r.body());
            assertEquals("fake-1", JSON.readTree(r.body()).get("model").asText());
        }
    }

    @Test
    void apiKeysAreEnforced() throws Exception {
        String body = "{\"prompt\": \"x\", \"max_tokens\": 2}";
        for (String key : new String[] {null, "sk-wrong", ""}) {
            HttpResponse<String> r = post("/v1/completions", body, key);
            assertEquals(401, r.statusCode(), r.body());
            assertEquals("invalid_api_key", JSON.readTree(r.body()).get("error").get("code").asText());
            assertTrue(JSON.readTree(r.body()).get("error").has("param"), "OpenAI's body names param, null here: " + r.body());
        }
        // one filter guards every /v1 endpoint, those added later included
        for (String path : new String[] {"/v1/models", "/v1/humaneval/humaneval-none", "/v1/provenance?repository=a&commit=b"}) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.getURL() + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, r.statusCode(), path + ": " + r.body());
        }
        HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(server.getURL() + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, models.statusCode());
        assertEquals(200, post("/v1/completions", body, "sk-test-1").statusCode());
        assertEquals(200, post("/v1/completions", body, KEY).statusCode());
    }

    @Test
    void modelsListsTheLoadedModelInOpenAisListFormat() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.getURL() + "/v1/models"))
                .header("Authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        JsonNode list = JSON.readTree(r.body());
        assertEquals("list", list.get("object").asText());
        assertEquals(1, list.get("data").size());
        JsonNode model = list.get("data").get(0);
        assertEquals("fake-1", model.get("id").asText());
        assertEquals("model", model.get("object").asText());
        assertEquals(8192, model.get("max_model_len").asInt());
        assertNull(model.get("parent").textValue());
    }

    @Test
    void humanEvalRunsAsAJobThatShowsProgressAndEndsWithPassAtKAndTheSamples() throws Exception {
        HttpResponse<String> started = post("/v1/humaneval", "{\"n\": 1, \"limit\": 2, \"max_tokens\": 8, \"seed\": 1}", KEY);
        assertEquals(202, started.statusCode(), started.body());
        JsonNode job = JSON.readTree(started.body());
        String id = job.get("id").asText();
        assertEquals("/v1/humaneval/" + id, started.headers().firstValue("location").orElse(""));
        assertEquals("humaneval.job", job.get("object").asText());
        assertTrue(List.of("queued", "running").contains(job.get("status").asText()), job.toString());
        assertEquals(2, job.get("problems").asInt());

        long deadline = System.currentTimeMillis() + 60_000;
        while (List.of("queued", "running").contains(job.get("status").asText())) {
            assertTrue(System.currentTimeMillis() < deadline, "the job ends: " + job);
            Thread.sleep(100);
            job = JSON.readTree(get("/v1/humaneval/" + id).body());
            assertTrue(job.get("progress").get("samples_checked").asInt() <= 2, job.toString());
        }
        assertEquals("succeeded", job.get("status").asText(), job.toString());
        assertEquals("fake-1", job.get("model").asText());
        assertEquals(2, job.get("progress").get("samples_checked").asInt());
        JsonNode result = job.get("result");
        List<String> resultFields = new java.util.ArrayList<>();
        result.fieldNames().forEachRemaining(resultFields::add);
        assertEquals(List.of("problems_scored", "problems_skipped", "skipped", "samples", "passed", "model_failures",
                "sandbox_failures", "isolation", "pass_at_k", "samples_file"), resultFields, "the field names clients read");
        assertEquals(0, result.get("skipped").size(), "an empty list is written as []: " + job);
        assertEquals(2, result.get("samples").asInt());
        assertEquals(2, result.get("problems_scored").asInt());
        assertEquals(0, result.get("problems_skipped").asInt());
        assertEquals(0.0, result.get("pass_at_k").get("pass@1").asDouble(), "random bytes do not pass HumanEval");
        assertEquals(2, result.get("model_failures").asInt(), job.toString());
        assertEquals(0, result.get("sandbox_failures").asInt(), job.toString());
        assertEquals(1, result.get("isolation").size(), job.toString());
        HttpResponse<String> samples = get(result.get("samples_file").asText());
        assertEquals(200, samples.statusCode(), samples.body());
        String[] lines = samples.body().split("\n");
        assertEquals(2, lines.length, samples.body());
        assertEquals("HumanEval/0", JSON.readTree(lines[0]).get("task_id").asText());
        assertFalse(JSON.readTree(lines[0]).get("passed").asBoolean());

        assertEquals(404, get("/v1/humaneval/humaneval-none").statusCode());
        assertEquals(400, post("/v1/humaneval", "{\"n\": \"many\"}", KEY).statusCode());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.getURL() + path)).header("Authorization", "Bearer " + KEY).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
