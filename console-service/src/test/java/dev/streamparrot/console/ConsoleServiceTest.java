package dev.streamparrot.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.streamparrot.kafka.DeadLetters;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.testkit.ServiceShellCheck;
import dev.streamparrot.topics.Topics;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console against the real broker and registry, with a small real HTTP server standing in for the
 * trainer and inference services (their own tests cover them): the pages are served, the pipeline figures
 * and dead letters come from Kafka as they are, and the proxy passes API keys and streams events one by one.
 */
@ExtendWith(RealCluster.class)
class ConsoleServiceTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String REASON = "IllegalStateException: bad <b>bold</b> <img src=x onerror=alert(1)> & \"quoted\"";
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static HttpServer upstream;
    static final AtomicReference<String> seenAuthorization = new AtomicReference<>();
    static final CountDownLatch releaseSecondEvent = new CountDownLatch(1);
    static final CountDownLatch upstreamSawClose = new CountDownLatch(1);
    static EmbeddedServer console;

    @BeforeAll
    static void start() throws Exception {
        TopicAdmin.ensure(RealCluster.bootstrapServers(), Topics.ALL, (short) 1);
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/trainer/status", exchange -> send(exchange, 200, "application/json",
                "{\"runId\":\"r1\",\"state\":\"training\",\"step\":7,\"loss\":3.5,\"tokensPerSecond\":123.0}"));
        upstream.createContext("/v1/completions", ConsoleServiceTest::completions);
        upstream.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        upstream.start();
        String url = "http://127.0.0.1:" + upstream.getAddress().getPort();
        console = ApplicationContext.run(EmbeddedServer.class, Map.of(
                "micronaut.server.port", -1,
                "streamparrot.kafka.bootstrap-servers", RealCluster.bootstrapServers(),
                "streamparrot.schema-registry.url", RealCluster.registryUrl(),
                "streamparrot.console.ingest-url", url,
                "streamparrot.console.trainer-url", url,
                "streamparrot.console.inference-url", url,
                "streamparrot.console.trainer-sample-interval", "200ms"));
    }

    @AfterAll
    static void stop() {
        if (console != null) console.close();
        if (upstream != null) upstream.stop(0);
    }

    /** Event 1, then event 2 only when the test says so; "endless" streams until the client goes away. */
    static void completions(HttpExchange exchange) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        seenAuthorization.set(authorization);
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (!"Bearer k1".equals(authorization)) {
            send(exchange, 401, "application/json", "{\"error\":{\"message\":\"Incorrect API key provided.\"}}");
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            if (body.contains("endless")) {
                for (int i = 0; i < 600; i++) {
                    out.write(("data: {\"choices\":[{\"text\":\"x" + i + "\"}]}\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    Thread.sleep(50);
                }
                return; // 30 s without the proxy closing: the test fails on its latch
            }
            out.write("data: {\"choices\":[{\"text\":\"héllo\"}]}\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            releaseSecondEvent.await(20, TimeUnit.SECONDS);
            out.write("data: {\"choices\":[{\"text\":\" <world>\"}]}\n\ndata: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            upstreamSawClose.countDown(); // the console closed our connection
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(console.getURL() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthyAgainstTheRealClusterAndExportsMetrics() throws Exception {
        ServiceShellCheck.assertHealthyAndExportsMetrics(console.getURL().toString());
    }

    @Test
    void servesThePagesFromTheJar() throws Exception {
        HttpResponse<String> index = get("/");
        assertEquals(200, index.statusCode());
        assertTrue(index.body().contains("<script src=\"console.js\">"), index.body());
        HttpResponse<String> script = get("/console.js");
        assertEquals(200, script.statusCode());
        assertTrue(script.body().contains("textContent"), "the script is the console's");
        assertTrue(!script.body().contains("innerHTML"), "nothing is rendered as HTML");
        assertEquals(200, get("/console.css").statusCode());
    }

    @Test
    void deadLettersAndLagComeFromKafkaAsTheyAre() throws Exception {
        KafkaSettings settings = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        DeadLetters letters = new DeadLetters("console-test", new SchemaRegistryClient(RealCluster.registryUrl()));
        try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("console-test"))) {
            for (int i = 0; i < 3; i++) {
                producer.send(letters.record(letters.letter("token-ids", 2, 40 + i, "k".getBytes(), new byte[] {1, 2},
                        new IllegalStateException(REASON + " #" + i)))).get();
            }
        }
        // a stage that has read up to offset 1 of dead-letters
        try (var consumer = new KafkaConsumer<byte[], byte[]>(settings.consumer("console-test-stage"))) {
            consumer.commitSync(Map.of(new TopicPartition(Topics.DEAD_LETTERS.name(), 0), new OffsetAndMetadata(1)));
        }

        JsonNode dead = JSON.readTree(get("/api/dead-letters?limit=2").body());
        assertEquals(2, dead.get("letters").size(), dead.toString());
        JsonNode newest = dead.get("letters").get(0);
        assertEquals("IllegalStateException: " + REASON + " #2", newest.get("reason").asText(), "the reason verbatim, markup and all");
        assertEquals("token-ids", newest.get("topic").asText());
        assertEquals(42, newest.get("offset").asLong(), "the original record's offset");
        assertEquals("console-test", newest.get("service").asText());

        JsonNode pipeline = JSON.readTree(get("/api/pipeline").body());
        long deadRecords = -1;
        for (JsonNode t : pipeline.get("topics")) {
            if (t.get("name").asText().equals("dead-letters")) {
                deadRecords = t.get("records").asLong();
                assertTrue(t.get("bytes").asLong() > 0, t.toString());
            }
        }
        assertEquals(3, deadRecords, pipeline.toString());
        JsonNode stage = null;
        for (JsonNode g : pipeline.get("groups")) if (g.get("group").asText().equals("console-test-stage")) stage = g;
        assertTrue(stage != null, "the group is listed: " + pipeline);
        assertEquals(2, stage.get("lag").asLong(), "3 letters, committed up to 1: " + stage);
    }

    @Test
    void samplesTheTrainerIntoAHistory() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        JsonNode history;
        do {
            history = JSON.readTree(get("/api/training").body()).get("history");
            if (history.size() > 0) break;
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        assertEquals(1, history.size(), "the same step sampled again is kept once: " + history);
        assertEquals(7, history.get(0).get("step").asInt());
        assertEquals(3.5, history.get(0).get("loss").asDouble());
    }

    @Test
    void proxiesCompletionsWithTheApiKeyAndStreamsEventByEvent() throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(console.getURL() + "/v1/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"x\",\"stream\":true}"));
        HttpResponse<String> refused = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, refused.statusCode(), "the service's answer, passed on");
        assertTrue(refused.body().contains("Incorrect API key"), refused.body());

        HttpResponse<InputStream> stream = HTTP.send(request.header("Authorization", "Bearer k1").build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, stream.statusCode());
        assertEquals("Bearer k1", seenAuthorization.get());
        assertTrue(stream.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"), stream.headers().toString());
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            // the first event arrives while the service still holds back the second
            assertEquals("data: {\"choices\":[{\"text\":\"héllo\"}]}", reader.readLine());
            assertEquals("", reader.readLine());
            releaseSecondEvent.countDown();
            assertEquals("data: {\"choices\":[{\"text\":\" <world>\"}]}", reader.readLine());
            assertEquals("", reader.readLine());
            assertEquals("data: [DONE]", reader.readLine());
        }
    }

    @Test
    void closingTheStreamClosesTheUpstreamConnection() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(console.getURL() + "/v1/completions"))
                .header("Authorization", "Bearer k1").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"endless\",\"stream\":true}")).build();
        HttpResponse<InputStream> stream = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
        assertTrue(reader.readLine().startsWith("data: "));
        reader.close();
        assertTrue(upstreamSawClose.await(20, TimeUnit.SECONDS), "the service saw its connection closed: generation stops there");
    }

    @Test
    void aServiceThatIsDownIsABadGatewayWithAReason() throws Exception {
        try (EmbeddedServer other = ApplicationContext.run(EmbeddedServer.class, Map.of(
                "micronaut.server.port", -1,
                "streamparrot.kafka.bootstrap-servers", RealCluster.bootstrapServers(),
                "streamparrot.schema-registry.url", RealCluster.registryUrl(),
                "streamparrot.console.ingest-url", "http://127.0.0.1:" + RealCluster.freePort()))) {
            HttpResponse<String> repos = HTTP.send(HttpRequest.newBuilder(URI.create(other.getURL() + "/repos")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(502, repos.statusCode());
            assertTrue(repos.body().contains("is unreachable"), repos.body());
        }
    }
}
