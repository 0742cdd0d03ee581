package dev.streamparrot.inference.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamparrot.artifacts.Sha256;
import dev.streamparrot.inference.testing.TinyCheckpoint;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.Split;
import dev.streamparrot.schemas.TokenEncoding;
import dev.streamparrot.schemas.TokenIds;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.launcher.ProjectPaths;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.tokenizer.Tokenizer;
import dev.streamparrot.topics.Topics;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole second half of the system with real processes: chunks and a tokenizer release on the real
 * broker, the trainer (its own JVM, {@code TrainerCli train}) trains a few updates and announces its
 * checkpoints, and this service picks the newest up and answers the book's prompts, streamed and not.
 */
@ExtendWith(RealCluster.class)
class TrainedCheckpointServingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SEQ = 128;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesACheckpointTheTrainerTrainedAndAnnounced(@TempDir Path tmp) throws Exception {
        KafkaSettings settings = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        SchemaRegistryClient registry = new SchemaRegistryClient(settings.schemaRegistryUrl());
        TopicAdmin.ensure(settings.bootstrapServers(), Topics.ALL, (short) 1);
        Tokenizer tokenizer = TinyCheckpoint.gpt2Tokenizer();
        Path tokenizerJson = tmp.resolve("tokenizer.json");
        tokenizer.save(tokenizerJson);
        String run = "trained-" + System.nanoTime();

        try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("trained-test"))) {
            TokenizerRelease release = new TokenizerRelease(tokenizer.id(), tokenizer.vocabSize(), tokenizer.eosId(),
                    tokenizerJson.toUri().toString(), Sha256.of(tokenizerJson), 1L, 1L, "gpt2", Instant.now());
            producer.send(new ProducerRecord<>(Topics.TOKENIZER_RELEASES.name(), tokenizer.id().getBytes(StandardCharsets.UTF_8),
                    new AvroSerde<>(TokenizerRelease.class, registry).serialize(Topics.TOKENIZER_RELEASES.name(), release))).get();
            AvroSerde<Chunk> chunks = new AvroSerde<>(Chunk.class, registry);
            List<int[]> sequences = sequences(tokenizer, 56);
            for (int i = 0; i < sequences.size(); i++) {
                boolean valid = i >= 48;
                Chunk chunk = new Chunk((long) (valid ? i - 48 : i), 0, tokenizer.id(), valid ? Split.VALID : Split.TRAIN,
                        TokenEncoding.UINT16_LE, TokenIds.pack(sequences.get(i), TokenEncoding.UINT16_LE), List.of("stdlib/" + i));
                String topic = valid ? Topics.CHUNKS_VALID.name() : Topics.CHUNKS_TRAIN.name();
                producer.send(new ProducerRecord<>(topic, 0, "0".getBytes(StandardCharsets.UTF_8), chunks.serialize(topic, chunk))).get();
            }
        }

        Map<String, Object> config = Map.of("micronaut.server.port", -1,
                "streamparrot.kafka.bootstrap-servers", settings.bootstrapServers(),
                "streamparrot.schema-registry.url", settings.schemaRegistryUrl(),
                "streamparrot.inference.torch-threads", 1);
        try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, config)) {
            Process trainer = trainer(settings, tmp, run, tokenizer.id());
            assertTrue(trainer.waitFor(5, TimeUnit.MINUTES), "the trainer finished");
            assertEquals(0, trainer.exitValue(), Files.readString(tmp.resolve("trainer.log")));

            String url = server.getURL().toString();
            String expected = "step-4-" + tokenizer.id();
            long deadline = System.currentTimeMillis() + 60_000;
            while (!expected.equals(servedModel(url)) && System.currentTimeMillis() < deadline) Thread.sleep(200);
            assertEquals(expected, servedModel(url), "the newest checkpoint the trainer announced is served");
            // what it serves is pinned on checkpoint-pins, so the trainer's retention keeps it
            String servedName = run + "/step-00000004/";
            java.util.Set<String> pins = java.util.Set.of();
            for (long until = System.currentTimeMillis() + 20_000; System.currentTimeMillis() < until; Thread.sleep(200)) {
                pins = dev.streamparrot.kit.CheckpointPins.pinnedLocations(settings, registry, "trained-test");
                if (pins.stream().anyMatch(l -> l.endsWith(servedName))) break;
            }
            assertTrue(pins.stream().anyMatch(l -> l.endsWith(servedName)), "pinned: " + pins);

            for (String prompt : CheckpointServingTest.BOOK_PROMPTS) {
                ObjectNode body = JSON.createObjectNode();
                body.put("prompt", prompt).put("max_tokens", 16).put("n", 4).put("temperature", 0.4).put("top_p", 0.95)
                        .put("stop", "code-first-block").put("seed", 3);
                JsonNode whole = JSON.readTree(post(url, body.toString()).body());
                assertEquals(4, whole.get("choices").size(), whole.toString());
                assertEquals(expected, whole.get("model").asText());
                body.put("stream", true);
                String sse = post(url, body.toString()).body();
                assertTrue(sse.startsWith("data: {") && sse.endsWith("data: [DONE]\n\n"), sse);
                for (JsonNode choice : whole.get("choices")) {
                    for (String stop : List.of("\nclass", "\ndef", "\n#", "\n@", "\nprint", "\nif")) {
                        assertFalse(choice.get("text").asText().contains(stop));
                    }
                }
            }
        }
    }

    /** GPT-2 ids of standard library files, concatenated with end-of-text and cut into SEQ-long sequences. */
    private static List<int[]> sequences(Tokenizer tokenizer, int count) throws Exception {
        Process p = new ProcessBuilder("python3", "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])").start();
        Path stdlib = Path.of(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
        List<Integer> ids = new ArrayList<>();
        try (Stream<Path> files = Files.list(stdlib.resolve("json"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".py")).sorted().toList()) {
                for (int id : tokenizer.encode(Files.readString(file))) ids.add(id);
                ids.add(tokenizer.eosId());
            }
        }
        List<int[]> sequences = new ArrayList<>();
        for (int i = 0; sequences.size() < count; i = (i + SEQ) % (ids.size() - SEQ)) {
            sequences.add(ids.subList(i, i + SEQ).stream().mapToInt(Integer::intValue).toArray());
        }
        return sequences;
    }

    /**
     * The trainer in its own JVM. Its classpath is the one Maven wrote for trainer-service, with this
     * project's own modules taken from their build folders (Maven may have named installed copies).
     */
    private static Process trainer(KafkaSettings settings, Path tmp, String run, String tokenizerId) throws Exception {
        Path root = ProjectPaths.root();
        Path classpathFile = root.resolve("trainer-service/target/classpath.txt");
        assertTrue(Files.exists(classpathFile), "trainer-service must be packaged first (mvn verify builds it before this module)");
        String classpath = Stream.concat(Stream.of(root.resolve("trainer-service/target/classes").toString()),
                Arrays.stream(Files.readString(classpathFile).trim().split(":")).map(entry -> ownModule(root, entry)))
                .collect(Collectors.joining(":"));
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g",
                "-Dai.djl.offline=true", "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.streamparrot",
                "-cp", classpath, "dev.streamparrot.trainer.TrainerCli", "train",
                "--bootstrap-servers", settings.bootstrapServers(), "--schema-registry", settings.schemaRegistryUrl(),
                "--data-dir", tmp.resolve("trainer").toString(), "--profile", "cpu-tiny", "--run-id", run,
                "--consumer-group", run, "--tokenizer-id", tokenizerId, "--threads", "1",
                "--max_train_steps", "4", "--save_checkpoint_steps", "2", "--eval_interval", "2", "--max_eval_steps", "2",
                "--train_batch_size", "4", "--valid_batch_size", "4", "--num_warmup_steps", "1", "--at-end", "new-epoch");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve("trainer.log").toFile()).start();
    }

    private static String ownModule(Path root, String entry) {
        String marker = "/dev/streamparrot/";
        int at = entry.indexOf(marker);
        if (at < 0) return entry;
        String artifact = entry.substring(at + marker.length()).split("/")[0];
        Path module = Files.isDirectory(root.resolve(artifact)) ? root.resolve(artifact) : root.resolve("deploy").resolve(artifact);
        return module.resolve("target/classes").toString();
    }

    private HttpResponse<String> post(String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url + "/v1/completions")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String servedModel(String url) throws Exception {
        JsonNode data = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).get("data");
        return data.isEmpty() ? null : data.get(0).get("id").asText();
    }
}
