package dev.streamparrot.inference.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamparrot.inference.testing.TinyCheckpoint;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.PartitionOffset;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.schemas.Split;
import dev.streamparrot.schemas.TokenEncoding;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.topics.Topics;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provenance on the real broker and registry: a commit's new file is published on source-files, packed into
 * chunks (written here as the packer would), and two checkpoints are announced, the first with a frontier
 * short of the file's last chunk, the second past it. {@code GET /v1/provenance} answers "not yet", then
 * "trained", each time under the checkpoint that the completions name in {@code model} and
 * {@code system_fingerprint}.
 */
@ExtendWith(RealCluster.class)
class ProvenanceServingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The source-files partition the file lands on, and so the chunks-train partition its chunks go to. */
    private static final int PARTITION = 2;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aCommitsFileIsTrainedOnceTheServedCheckpointsFrontierIsPastItsChunks(@TempDir Path tmp) throws Exception {
        KafkaSettings settings = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        // every topic the service uses, as `up` creates them: without checkpoint-pins the first pin waited out the
        // producer's 60 s metadata timeout before the second checkpoint could load
        TopicAdmin.ensure(settings.bootstrapServers(), Topics.ALL, (short) 1);
        SchemaRegistryClient registry = new SchemaRegistryClient(settings.schemaRegistryUrl());
        AvroSerde<SourceFile> files = new AvroSerde<>(SourceFile.class, registry);
        AvroSerde<Chunk> chunks = new AvroSerde<>(Chunk.class, registry);
        AvroSerde<CheckpointAnnouncement> announcements = new AvroSerde<>(CheckpointAnnouncement.class, registry);
        String tokenizerId = TinyCheckpoint.gpt2Tokenizer().id();
        String run = "provenance-test-" + System.nanoTime();
        String repo = "acme/" + run; // a repository of its own: earlier runs on the same broker do not interfere
        String commit = "c0ffee" + System.nanoTime();
        Path a = TinyCheckpoint.write(tmp.resolve("step-10"), TinyCheckpoint.tinyConfig(256), 1);
        Path b = TinyCheckpoint.write(tmp.resolve("step-20"), TinyCheckpoint.tinyConfig(256), 2);

        Map<String, Object> config = Map.of(
                "micronaut.server.port", -1,
                "streamparrot.kafka.bootstrap-servers", settings.bootstrapServers(),
                "streamparrot.schema-registry.url", settings.schemaRegistryUrl());
        try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, config);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("provenance-test"))) {
            String url = server.getURL().toString();
            // the commit adds new.py; old.py came with an earlier commit
            send(producer, Topics.SOURCE_FILES.name(), repo + "/old.py", files.serialize(Topics.SOURCE_FILES.name(),
                    file(repo, "earlier", "old.py")));
            send(producer, Topics.SOURCE_FILES.name(), repo + "/new.py", files.serialize(Topics.SOURCE_FILES.name(),
                    file(repo, commit, "new.py")));
            // the packer's chunks: new.py starts after old.py, fills a whole chunk and ends before other.py
            long first = sendChunk(producer, chunks, tokenizerId, repo + "/old.py", repo + "/new.py");
            sendChunk(producer, chunks, tokenizerId, repo + "/new.py");
            long last = sendChunk(producer, chunks, tokenizerId, repo + "/new.py", repo + "/other.py");

            announce(producer, announcements, run, 10, tokenizerId, a, last); // trained up to, not including, new.py's last chunk
            String idA = "step-10-" + tokenizerId;
            await(() -> idA.equals(completion(url).path("model").asText()), "checkpoint 10 is served");
            assertEquals("step-10;frontier=" + PARTITION + ":" + last, completion(url).get("system_fingerprint").asText());
            JsonNode notYet = provenance(url, repo, commit);
            assertEquals(idA, notYet.get("model").asText());
            assertFalse(notYet.get("trained").asBoolean(), notYet.toString());
            assertEquals(1, notYet.get("files").size(), "only new.py came with the commit: " + notYet);
            JsonNode newFile = notYet.get("files").get(0);
            assertEquals("new.py", newFile.get("path").asText());
            assertEquals("not_yet_trained", newFile.get("status").asText());
            // the answer's JSON, field for field (a client reads these names)
            assertEquals(List.of("object", "repository", "commit", "model", "system_fingerprint", "trained", "files"), names(notYet));
            assertEquals(List.of("path", "key", "source_partition", "source_offset", "status", "chunks"), names(newFile));
            assertEquals(List.of("topic", "partition", "offset", "trained"), names(newFile.get("chunks").get(0)));
            assertEquals(Topics.CHUNKS_TRAIN.name(), newFile.get("chunks").get(0).get("topic").asText());
            assertEquals(repo + "/new.py", newFile.get("key").asText());
            assertEquals(PARTITION, newFile.get("source_partition").asInt());
            assertEquals(List.of(first, first + 1, last), offsets(newFile));
            assertEquals(List.of(true, true, false), trainedFlags(newFile));

            announce(producer, announcements, run, 20, tokenizerId, b, last + 1);
            String idB = "step-20-" + tokenizerId;
            await(() -> idB.equals(completion(url).path("model").asText()), "checkpoint 20 is served");
            JsonNode seen = provenance(url, repo, commit);
            assertTrue(seen.get("trained").asBoolean(), seen.toString());
            assertEquals(idB, seen.get("model").asText());
            assertEquals("step-20;frontier=" + PARTITION + ":" + (last + 1), seen.get("system_fingerprint").asText());
            assertEquals("trained", seen.get("files").get(0).get("status").asText());

            JsonNode unknown = provenance(url, repo, "deadbeef");
            assertFalse(unknown.get("trained").asBoolean(), "a commit with no files was not seen");
            assertEquals(0, unknown.get("files").size());
            HttpResponse<String> noCommit = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/provenance?repository=x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(400, noCommit.statusCode(), noCommit.body());
        }
    }

    private static SourceFile file(String repo, String commit, String path) {
        return SourceFile.newBuilder().setRepo(repo).setCommit(commit).setPath(path).setLicense("MIT").setSize(12)
                .setContentHash(Integer.toHexString(path.hashCode())).setContent("def f():\n    return 1\n").build();
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, PARTITION, key.getBytes(StandardCharsets.UTF_8), value)).get();
    }

    /** Writes one chunk of input partition {@link #PARTITION} to chunks-train and returns its offset. */
    private static long sendChunk(KafkaProducer<byte[], byte[]> producer, AvroSerde<Chunk> serde, String tokenizerId,
                                  String... keys) throws Exception {
        Chunk chunk = new Chunk(0L, PARTITION, tokenizerId, Split.TRAIN, TokenEncoding.UINT16_LE, ByteBuffer.wrap(new byte[8]),
                List.of(keys));
        return producer.send(new ProducerRecord<>(Topics.CHUNKS_TRAIN.name(), PARTITION,
                String.valueOf(PARTITION).getBytes(StandardCharsets.UTF_8), serde.serialize(Topics.CHUNKS_TRAIN.name(), chunk)))
                .get().offset();
    }

    private static void announce(KafkaProducer<byte[], byte[]> producer, AvroSerde<CheckpointAnnouncement> serde, String run,
                                 long step, String tokenizerId, Path dir, long frontier) throws Exception {
        CheckpointAnnouncement a = CheckpointAnnouncement.newBuilder().setRunId(run).setStep(step).setTokenizerId(tokenizerId)
                .setEvalLoss(2.0).setPerplexity(Math.exp(2.0)).setLocation(dir.toUri().toString())
                .setSha256(TinyCheckpoint.sha256(dir)).setCreatedAt(Instant.now())
                .setFrontier(List.of(new PartitionOffset(PARTITION, frontier))).build();
        producer.send(new ProducerRecord<>(Topics.CHECKPOINTS.name(), (run + "/" + step).getBytes(StandardCharsets.UTF_8),
                serde.serialize(Topics.CHECKPOINTS.name(), a))).get();
    }

    private JsonNode provenance(String url, String repo, String commit) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/provenance?repository="
                + URLEncoder.encode(repo, StandardCharsets.UTF_8) + "&commit=" + commit)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private JsonNode completion(String url) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"x = 1\", \"max_tokens\": 2}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new java.util.ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static List<Long> offsets(JsonNode file) {
        List<Long> out = new java.util.ArrayList<>();
        file.get("chunks").forEach(c -> out.add(c.get("offset").asLong()));
        return out;
    }

    private static List<Boolean> trainedFlags(JsonNode file) {
        List<Boolean> out = new java.util.ArrayList<>();
        file.get("chunks").forEach(c -> out.add(c.get("trained").asBoolean()));
        return out;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting until " + what);
            Thread.sleep(100);
        }
    }
}
