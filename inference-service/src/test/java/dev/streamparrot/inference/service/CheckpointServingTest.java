package dev.streamparrot.inference.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamparrot.inference.testing.TinyCheckpoint;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.topics.Topics;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service end to end on the real broker and registry: checkpoints of a tiny random GPT-2 (with
 * GPT-2's tokenizer) are announced on the checkpoint topic, loaded, and answer the book's prompts,
 * streamed and not; a new checkpoint swaps in while a stream runs, which still completes on its model;
 * a checkpoint whose sha256 does not match is refused and the current one keeps serving.
 */
@ExtendWith(RealCluster.class)
class CheckpointServingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The prompts chapter 10 of the book tries its model with. */
    static final List<String> BOOK_PROMPTS = List.of(
            "def area_of_rectangle(a: float, b: float):\n    \"\"\"Return the area of the rectangle.\"\"\"",
            "def get_urls_from_html(html):\n    \"\"\"Get all embedded URLs in a HTML string.\"\"\"",
            "# a function in native python:\ndef mean(a):\n    return sum(a)/len(a)\n\n"
                    + "# the same function using numpy:\nimport numpy as np\ndef mean(a):",
            "X = np.random.randn(100, 100)\ny = np.random.randint(0, 1, 100)\n\n"
                    + "# fit random forest classifier with 20 estimators");

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void followsTheCheckpointTopicAndServesTheBooksPrompts(@TempDir Path tmp) throws Exception {
        KafkaSettings settings = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        // checkpoint-pins too: the follower pins what it serves, and a missing topic blocks it for a minute
        TopicAdmin.ensure(settings.bootstrapServers(), List.of(Topics.CHECKPOINTS, Topics.CHECKPOINT_PINS, Topics.DEAD_LETTERS), (short) 1);
        Path a = TinyCheckpoint.write(tmp.resolve("step-100"), TinyCheckpoint.tinyConfig(1024), 1);
        Path b = TinyCheckpoint.write(tmp.resolve("step-200"), TinyCheckpoint.tinyConfig(1024), 2);
        String tokenizerId = TinyCheckpoint.gpt2Tokenizer().id();
        // a run id of its own, so announcements of earlier runs of this test on the same broker do not interfere
        String run = "serving-test-" + System.nanoTime();
        Map<String, Object> config = Map.of(
                "micronaut.server.port", -1,
                "streamparrot.kafka.bootstrap-servers", settings.bootstrapServers(),
                "streamparrot.schema-registry.url", settings.schemaRegistryUrl());
        AvroSerde<CheckpointAnnouncement> serde =
                new AvroSerde<>(CheckpointAnnouncement.class, new SchemaRegistryClient(settings.schemaRegistryUrl()));
        try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, config);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("serving-test"))) {
            InferenceMetrics metrics = server.getApplicationContext().getBean(InferenceMetrics.class);
            String url = server.getURL().toString();

            HttpResponse<String> noModel = post(url, "{\"prompt\": \"x\"}");
            assertEquals(503, noModel.statusCode(), noModel.body());
            assertEquals("model_not_loaded", JSON.readTree(noModel.body()).get("error").get("code").asText());

            announce(producer, serde, run, 100, tokenizerId, a, TinyCheckpoint.sha256(a));
            String idA = "step-100-" + tokenizerId;
            await(() -> idA.equals(servedModel(url)), "checkpoint A is served");

            for (String prompt : BOOK_PROMPTS) {
                ObjectNode body = JSON.createObjectNode();
                body.put("model", idA).put("prompt", prompt).put("max_tokens", 24).put("n", 4)
                        .put("temperature", 0.4).put("top_p", 0.95).put("stop", "code-first-block").put("seed", 42);
                JsonNode whole = JSON.readTree(post(url, body.toString()).body());
                assertEquals(4, whole.get("choices").size(), whole.toString());
                assertEquals(idA, whole.get("model").asText());
                body.put("stream", true);
                String[] streamed = streamedTexts(post(url, body.toString()).body(), 4);
                for (int i = 0; i < 4; i++) {
                    JsonNode choice = whole.get("choices").get(i);
                    String text = choice.get("text").asText();
                    for (String stop : List.of("\nclass", "\ndef", "\n#", "\n@", "\nprint", "\nif")) {
                        assertFalse(text.contains(stop), "stop sequences end the text: " + text);
                    }
                    assertTrue(List.of("stop", "length").contains(choice.get("finish_reason").asText()));
                    assertEquals(text, streamed[i], "same seed, same text, streamed or not");
                }
                assertTrue(whole.get("usage").get("prompt_tokens").asInt() > 10);
            }

            // a long stream on A; B is announced while it runs
            double swapsBefore = metrics.modelSwaps();
            ObjectNode body = JSON.createObjectNode();
            body.put("prompt", BOOK_PROMPTS.get(0)).put("max_tokens", 900).put("n", 2).put("stream", true).put("seed", 7);
            HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
            HttpResponse<java.io.InputStream> streaming = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            BufferedReader lines = new BufferedReader(new InputStreamReader(streaming.body(), StandardCharsets.UTF_8));
            String first = lines.readLine();
            assertTrue(first.startsWith("data: {"), first);
            AtomicBoolean streamEnded = new AtomicBoolean();
            CompletableFuture<List<String>> rest = CompletableFuture.supplyAsync(() -> {
                List<String> events = new ArrayList<>(List.of(first));
                try {
                    for (String line; (line = lines.readLine()) != null; ) if (!line.isEmpty()) events.add(line);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                streamEnded.set(true);
                return events;
            });
            announce(producer, serde, run, 200, tokenizerId, b, TinyCheckpoint.sha256(b));
            String idB = "step-200-" + tokenizerId;
            await(() -> idB.equals(servedModel(url)), "checkpoint B is served");
            assertFalse(streamEnded.get(), "B was swapped in while the stream on A was still running");
            List<String> events = rest.get(120, TimeUnit.SECONDS);
            assertEquals("data: [DONE]", events.get(events.size() - 1));
            int finished = 0;
            for (String event : events.subList(0, events.size() - 1)) {
                JsonNode chunk = JSON.readTree(event.substring("data: ".length()));
                assertEquals(idA, chunk.get("model").asText(), "the stream finishes on the model it started on");
                for (JsonNode c : chunk.get("choices")) if (!c.get("finish_reason").isNull()) finished++;
            }
            assertEquals(2, finished, "every choice of the stream finished");
            assertEquals(swapsBefore + 1, metrics.modelSwaps(), 0.0);
            assertEquals(idB, JSON.readTree(post(url, "{\"prompt\": \"x = 1\", \"max_tokens\": 3}").body()).get("model").asText());

            // a checkpoint whose weights are not the announced ones is refused; B keeps serving
            double rejectedBefore = metrics.rejectedCheckpoints();
            Path c = TinyCheckpoint.write(tmp.resolve("step-300"), TinyCheckpoint.tinyConfig(1024), 3);
            announce(producer, serde, run, 300, tokenizerId, c, TinyCheckpoint.sha256(a));
            await(() -> metrics.rejectedCheckpoints() > rejectedBefore, "checkpoint C is refused");
            assertEquals(idB, servedModel(url));
            assertEquals(200, post(url, "{\"prompt\": \"x = 1\", \"max_tokens\": 3}").statusCode());
        }

        // a replica pinned to A serves A, although B is newer
        Map<String, Object> pinned = new java.util.HashMap<>(config);
        pinned.put("streamparrot.inference.pinned-checkpoint", run + "/100");
        try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, pinned)) {
            String url = server.getURL().toString();
            await(() -> ("step-100-" + tokenizerId).equals(servedModel(url)), "the pinned checkpoint A is served");
            Thread.sleep(1500); // a poll later, it still is
            assertEquals("step-100-" + tokenizerId, servedModel(url));
        }
    }

    private static void announce(KafkaProducer<byte[], byte[]> producer, AvroSerde<CheckpointAnnouncement> serde, String run,
                                 long step, String tokenizerId, Path dir, String sha256) throws Exception {
        CheckpointAnnouncement a = new CheckpointAnnouncement(run, step, tokenizerId, 2.0, Math.exp(2.0), dir.toUri().toString(),
                sha256, Instant.now(), List.of(), null, null);
        producer.send(new ProducerRecord<>(Topics.CHECKPOINTS.name(), (run + "/" + step).getBytes(StandardCharsets.UTF_8),
                serde.serialize(Topics.CHECKPOINTS.name(), a))).get();
    }

    /** Concatenated text per choice index from an SSE body. */
    private static String[] streamedTexts(String sse, int choices) throws Exception {
        assertTrue(sse.endsWith("data: [DONE]\n\n"), sse);
        StringBuilder[] texts = new StringBuilder[choices];
        for (int i = 0; i < choices; i++) texts[i] = new StringBuilder();
        for (String event : sse.split("\n\n")) {
            if (event.equals("data: [DONE]")) continue;
            for (JsonNode c : JSON.readTree(event.substring("data: ".length())).get("choices")) {
                texts[c.get("index").asInt()].append(c.get("text").asText());
            }
        }
        String[] out = new String[choices];
        for (int i = 0; i < choices; i++) out[i] = texts[i].toString();
        return out;
    }

    private HttpResponse<String> post(String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url + "/v1/completions")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String servedModel(String url) {
        try {
            JsonNode data = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url + "/v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).get("data");
            return data.isEmpty() ? null : data.get(0).get("id").asText();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting until " + what);
            Thread.sleep(50);
        }
    }
}
