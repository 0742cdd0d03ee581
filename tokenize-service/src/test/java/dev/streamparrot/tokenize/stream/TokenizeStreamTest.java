package dev.streamparrot.tokenize.stream;

import dev.streamparrot.corpus.TestCorpus;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.schemas.TokenIds;
import dev.streamparrot.schemas.TokenizedFile;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.tokenizer.Tokenizer;
import dev.streamparrot.topics.Topics;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tokenize service against the real broker: nothing is encoded before a release is activated;
 * activation through POST /tokenizer/activate; a second activation switches files whole, from the
 * recorded offsets on, and every file is encoded exactly once; a deleted file's tombstone is passed on.
 */
@ExtendWith(RealCluster.class)
class TokenizeStreamTest {

    @Test
    void activationsDecideTheReleaseOfEveryFileWhole(@TempDir Path dir) throws Exception {
        KafkaSettings settings = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        TopicAdmin.ensure(settings.bootstrapServers(), Topics.ALL, (short) 1);
        List<SourceFile> before = TestCorpus.files("before", 200, 1);
        Tokenizer a = TestCorpus.train(before, 300);
        TokenizerRelease releaseA = TestCorpus.publish(settings, a, dir);
        TestCorpus.produce(settings, before);

        Map<String, Object> config = Map.of(
                "micronaut.server.port", -1,
                "streamparrot.kafka.bootstrap-servers", settings.bootstrapServers(),
                "streamparrot.schema-registry.url", settings.schemaRegistryUrl(),
                "streamparrot.data-dir", dir.resolve("data").toString(),
                "streamparrot.tokenize.stream.enabled", true,
                "streamparrot.tokenize.application-id", "tokenize-test",
                "streamparrot.tokenize.threads", 2);
        try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, config)) {
            Thread.sleep(2000);
            assertEquals(Map.of(), read(settings, 0), "nothing is encoded before a release is activated");
            HttpResponse<String> unknown = activate(server, "no-such-release");
            assertEquals(404, unknown.statusCode(), unknown.body());

            HttpResponse<String> first = activate(server, releaseA.getId());
            assertEquals(200, first.statusCode(), first.body());
            assertTrue(first.body().contains("\"0\":0"), "the first activation applies from the beginning: " + first.body());
            Map<String, TokenizedFile> encoded = read(settings, before.size());
            assertEquals(before.size(), encoded.size());
            assertEncodedWith(encoded, before, a);

            Tokenizer b = TestCorpus.train(before, 400);
            TokenizerRelease releaseB = TestCorpus.publish(settings, b, dir);
            HttpResponse<String> second = activate(server, releaseB.getId());
            assertEquals(200, second.statusCode(), second.body());
            List<SourceFile> after = TestCorpus.files("after", 100, 2);
            TestCorpus.produce(settings, after);

            Map<String, TokenizedFile> all = read(settings, before.size() + after.size());
            assertEquals(before.size() + after.size(), all.size());
            assertEncodedWith(all, before, a);
            assertEncodedWith(all, after, b);

            // A file deleted from its repository: its tombstone on source-files becomes one on token-ids.
            String deleted = TestCorpus.key(before.get(0));
            try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("test-deletion"))) {
                producer.send(new ProducerRecord<>(Topics.SOURCE_FILES.name(), deleted.getBytes(StandardCharsets.UTF_8), null)).get();
            }
            assertTrue(tombstoneArrives(settings, deleted), "no tombstone for " + deleted + " on token-ids");
        }
    }

    private static boolean tombstoneArrives(KafkaSettings settings, String key) {
        try (var consumer = new KafkaConsumer<byte[], byte[]>(settings.consumer("test-tombstones-" + System.nanoTime()))) {
            consumer.subscribe(List.of(Topics.TOKEN_IDS.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() == null && key.equals(new String(record.key(), StandardCharsets.UTF_8))) return true;
                }
            }
        }
        return false;
    }

    private static void assertEncodedWith(Map<String, TokenizedFile> encoded, List<SourceFile> files, Tokenizer tokenizer) {
        for (SourceFile file : files) {
            TokenizedFile out = encoded.get(TestCorpus.key(file));
            assertEquals(tokenizer.id(), out.getTokenizerId(), TestCorpus.key(file));
            assertEquals(file.getRepo(), out.getRepo());
            assertArrayEquals(tokenizer.encode(file.getContent().toString()), TokenIds.unpack(out.getIds(), out.getEncoding()),
                    TestCorpus.key(file));
        }
    }

    /**
     * This test's files in token-ids (other tests of the JVM ingest files too), by source key; fails on
     * a file encoded twice.
     */
    private static Map<String, TokenizedFile> read(KafkaSettings settings, int count) {
        AvroSerde<TokenizedFile> serde = new AvroSerde<>(TokenizedFile.class, new SchemaRegistryClient(settings.schemaRegistryUrl()));
        Map<String, TokenizedFile> byKey = new HashMap<>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(settings.consumer("test-reader-" + System.nanoTime()))) {
            consumer.subscribe(List.of(Topics.TOKEN_IDS.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            long settle = Long.MAX_VALUE; // once all arrived, 2 s more to catch duplicates
            while (System.nanoTime() < Math.min(deadline, settle)) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() == null) continue; // a deleted file's tombstone
                    TokenizedFile file = serde.deserialize(record.topic(), record.value());
                    String repo = file.getRepo().toString();
                    if (!repo.startsWith("before-") && !repo.startsWith("after-")) continue;
                    assertEquals(null, byKey.put(file.getSourceKey().toString(), file), "encoded twice: " + file.getSourceKey());
                }
                if (byKey.size() >= count && settle == Long.MAX_VALUE) settle = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            }
        }
        return byKey;
    }

    private static HttpResponse<String> activate(EmbeddedServer server, String tokenizerId) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.getURL() + "/tokenizer/activate"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"tokenizerId\":\"" + tokenizerId + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
