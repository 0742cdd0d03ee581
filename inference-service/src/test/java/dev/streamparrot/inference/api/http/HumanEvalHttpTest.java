package dev.streamparrot.inference.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /v1/humaneval}'s body as Micronaut reads it, and the job view's JSON, on a server with no model
 * loaded: a job fails at once ("no model is loaded"), so a request with all defaults (164 problems) costs nothing.
 * A run that succeeds is in {@link OpenAiHttpTest}.
 */
class HumanEvalHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static EmbeddedServer server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        server = ApplicationContext.run(EmbeddedServer.class, Map.of("micronaut.server.port", -1,
                "streamparrot.data-dir", Files.createTempDirectory("humaneval-http-test").toString(),
                "streamparrot.inference.follow-checkpoints", false));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder to(String path) {
        return HttpRequest.newBuilder(URI.create(server.getURL() + path));
    }

    @Test
    void anAbsentOrEmptyBodyStartsAJobWithCodeParrotsDefaults() throws Exception {
        List<HttpResponse<String>> answers = new ArrayList<>();
        answers.add(send(to("/v1/humaneval").POST(HttpRequest.BodyPublishers.noBody())));
        answers.add(send(to("/v1/humaneval").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.noBody())));
        answers.add(send(to("/v1/humaneval").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"))));
        for (HttpResponse<String> r : answers) {
            assertEquals(202, r.statusCode(), r.body());
            JsonNode job = JSON.readTree(r.body());
            assertEquals("/v1/humaneval/" + job.get("id").asText(), r.headers().firstValue("location").orElse(""));
            assertEquals(164, job.get("problems").asInt(), r.body());
            assertEquals(1, job.get("n").asInt(), r.body());
            assertEquals(0.2, job.get("temperature").asDouble(), 1e-9, r.body());
            assertEquals(0.95, job.get("top_p").asDouble(), 1e-9, r.body());
            assertEquals(256, job.get("max_tokens").asInt(), r.body());
        }
    }

    @Test
    void theJobViewKeepsItsFieldsAndWritesAModelNotYetChosenAsNull() throws Exception {
        HttpResponse<String> started = send(to("/v1/humaneval").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"n\": 3, \"limit\": 2, \"max_tokens\": 8, \"temperature\": 0.5, \"top_p\": 1, \"seed\": 7}")));
        assertEquals(202, started.statusCode(), started.body());
        String id = JSON.readTree(started.body()).get("id").asText();
        JsonNode job = JSON.readTree(started.body());
        long deadline = System.currentTimeMillis() + 10_000;
        while (!job.get("status").asText().equals("failed")) {
            assertTrue(System.currentTimeMillis() < deadline, "the job fails: no model is loaded: " + job);
            Thread.sleep(20);
            job = JSON.readTree(send(to("/v1/humaneval/" + id)).body());
        }
        assertEquals(Set.of("id", "object", "status", "created_at", "model", "problems", "n", "temperature", "top_p",
                "max_tokens", "progress", "error"), fields(job), job.toString());
        assertTrue(job.get("model").isNull(), job.toString());
        assertEquals("humaneval.job", job.get("object").asText());
        assertEquals("no model is loaded", job.get("error").asText());
        assertEquals(Set.of("samples_checked", "problems_skipped"), fields(job.get("progress")));
        assertEquals(2, job.get("problems").asInt());
        assertEquals(3, job.get("n").asInt());
        assertEquals(0.5, job.get("temperature").asDouble());
        assertEquals(1.0, job.get("top_p").asDouble());
        assertEquals(8, job.get("max_tokens").asInt());
        assertTrue(job.get("created_at").isIntegralNumber(), job.toString());

        HttpResponse<String> samples = send(to("/v1/humaneval/" + id + "/samples"));
        assertEquals(409, samples.statusCode(), samples.body());
        assertEquals("job_not_done", JSON.readTree(samples.body()).get("error").get("code").asText());
    }

    @Test
    void invalidBodiesGet400WithOpenAisErrorBodyNamingTheField() throws Exception {
        Map<String, String> cases = Map.ofEntries(
                Map.entry("{\"n\": true}", "n"), // Micronaut's serde alone would read true as 1
                Map.entry("{\"n\": \"many\"}", "n"),
                Map.entry("{\"n\": 1.5}", "n"),
                Map.entry("{\"n\": 0}", "n"),
                Map.entry("{\"n\": 201}", "n"),
                Map.entry("{\"top_p\": 0}", "top_p"),
                Map.entry("{\"top_p\": 1.5}", "top_p"),
                Map.entry("{\"limit\": 999}", "limit"),
                Map.entry("{\"limit\": -1}", "limit"),
                Map.entry("{\"max_tokens\": 0}", "max_tokens"),
                Map.entry("{\"max_tokens\": 4097}", "max_tokens"),
                Map.entry("{\"temperature\": -0.1}", "temperature"),
                Map.entry("{\"temperature\": \"hot\"}", "temperature"),
                Map.entry("{\"seed\": \"x\"}", "seed"),
                Map.entry("{\"n\": ", ""),
                Map.entry("[1, 2]", ""));
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> r = send(to("/v1/humaneval").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(c.getKey())));
            assertEquals(400, r.statusCode(), c.getKey() + " -> " + r.body());
            assertEquals("application/json", r.headers().firstValue("content-type").orElse("").split(";")[0]);
            JsonNode error = JSON.readTree(r.body()).get("error");
            assertEquals(Set.of("message", "type", "param", "code"), fields(error), r.body());
            assertEquals("invalid_request_error", error.get("type").asText(), r.body());
            assertTrue(error.get("message").asText().startsWith(c.getValue().isEmpty() ? "The request body" : c.getValue() + " must"), r.body());
            if (c.getValue().isEmpty()) assertTrue(error.get("param").isNull(), r.body());
            else assertEquals(c.getValue(), error.get("param").asText(), r.body());
        }
    }

    @Test
    void anUnknownJobIs404() throws Exception {
        HttpResponse<String> r = send(to("/v1/humaneval/humaneval-none"));
        assertEquals(404, r.statusCode(), r.body());
        assertEquals("job_not_found", JSON.readTree(r.body()).get("error").get("code").asText());
    }

    private static Set<String> fields(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
