package dev.streamparrot.ingest.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.topics.Topics;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.eclipse.jgit.api.Git;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tracker's memory lives in the cluster, not in the service: a repository requested once is polled
 * by this instance and, after a restart on a machine without its data directory, by the next one, which
 * also redoes an ingest that a crash interrupted without publishing anything twice; a file
 * deleted by a later commit becomes a tombstone on source-files, and restoring it publishes it again.
 */
@ExtendWith(RealCluster.class)
class RepositoryRestartTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aRepositoryRequestedBeforeARestartIsPolledAfterItAndDeletionsBecomeTombstones(@TempDir Path tmp) throws Exception {
        KafkaSettings settings = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        TopicAdmin.ensure(settings.bootstrapServers(), Topics.ALL, (short) 1);
        Random random = new Random(System.nanoTime());
        String name = "restart-" + System.nanoTime();
        Path repo = tmp.resolve(name);
        Files.createDirectories(repo);
        String a = IngestServiceTest.syntheticModule(random);
        Files.writeString(repo.resolve("a.py"), a);
        Files.writeString(repo.resolve("b.py"), IngestServiceTest.syntheticModule(random));
        String first = commit(repo, "first");
        String url = repo.toUri().toString();

        try (SourceFiles published = new SourceFiles(settings, name)) {
            String id;
            String second;
            try (EmbeddedServer service = start(settings, tmp.resolve("machine-1"))) {
                HttpResponse<String> accepted = post(service, JSON.createObjectNode().put("url", url).toString());
                assertEquals(202, accepted.statusCode(), accepted.body());
                id = JSON.readTree(accepted.body()).get("id").asText();
                awaitCommit(service, id, first);
                published.await("a.py and b.py", r -> r.has("a.py") && r.has("b.py"));

                // Polling: a commit pushed now is ingested with no new request.
                Files.writeString(repo.resolve("c.py"), IngestServiceTest.syntheticModule(random));
                second = commit(repo, "second");
                awaitCommit(service, id, second);
                published.await("c.py", r -> r.has("c.py"));
            }

            // As if the service had crashed after publishing the second commit's files, before recording it.
            try (RepoStateTopic states = new RepoStateTopic(settings, new SchemaRegistryClient(settings.schemaRegistryUrl()))) {
                states.save(new RepoState(id, url, null, "ingesting", null, first, null, 2, 0, Map.of(), Instant.now()));
            }

            // A new machine: no git cache, no stream state; only the cluster remembers the repository.
            try (EmbeddedServer service = start(settings, tmp.resolve("machine-2"))) {
                JsonNode known = JSON.readTree(get(service, "/repos/" + id).body());
                assertEquals(url, known.get("url").asText(), known.toString());
                assertTrue(JSON.readTree(get(service, "/repos").body()).toString().contains(id), "GET /repos lists it");
                // The interrupted ingest runs again at once; dedup rejects c.py's second copy (see the events below).
                JsonNode redone = awaitCommit(service, id, second);
                assertEquals(3, redone.get("accepted").asInt(), redone.toString());

                // A commit after the restart, again with no request: adds d.py, deletes a.py.
                Files.writeString(repo.resolve("d.py"), IngestServiceTest.syntheticModule(random));
                Files.delete(repo.resolve("a.py"));
                JsonNode third = awaitCommit(service, id, commit(repo, "third"));
                assertEquals(1, third.get("deleted").asInt(), third.toString());
                published.await("d.py and a.py's tombstone", r -> r.has("d.py") && r.deletedLast("a.py"));

                // Restoring the deleted file publishes it again: it is no duplicate of a file that is gone.
                Files.writeString(repo.resolve("a.py"), a);
                awaitCommit(service, id, commit(repo, "revert"));
                published.await("a.py again", r -> r.count("a.py") == 2 && !r.deletedLast("a.py"));
            }
            assertEquals(Map.of("a.py", List.of("a.py", "a.py (deleted)", "a.py"), "b.py", List.of("b.py"),
                    "c.py", List.of("c.py"), "d.py", List.of("d.py")), published.byPath(),
                    "each version once, in commit order per file (files of different partitions interleave freely)");
        }
    }

    private static EmbeddedServer start(KafkaSettings settings, Path dataDir) {
        return ApplicationContext.run(EmbeddedServer.class, Map.of(
                "micronaut.server.port", -1,
                "streamparrot.kafka.bootstrap-servers", settings.bootstrapServers(),
                "streamparrot.schema-registry.url", settings.schemaRegistryUrl(),
                "streamparrot.data-dir", dataDir.toString(),
                "streamparrot.ingest.poll-interval", "300ms"));
    }

    private static String commit(Path repo, String message) throws Exception {
        try (Git git = Files.isDirectory(repo.resolve(".git")) ? Git.open(repo.toFile())
                : Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            git.add().addFilepattern(".").setUpdate(true).call(); // stages deletions too
            return git.commit().setMessage(message).setAuthor("t", "t@example.org").setCommitter("t", "t@example.org")
                    .call().getName();
        }
    }

    /** The repository's state once its ingest of {@code commit} is done. */
    private static JsonNode awaitCommit(EmbeddedServer service, String id, String commit) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        JsonNode state = null;
        while (System.currentTimeMillis() < deadline) {
            HttpResponse<String> r = get(service, "/repos/" + id);
            if (r.statusCode() == 200) {
                state = JSON.readTree(r.body());
                if (commit.equals(state.path("lastCommit").asText()) && state.get("status").asText().equals("done")) return state;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("commit " + commit + " was not ingested: " + state);
    }

    private static HttpResponse<String> post(EmbeddedServer service, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(service.getURL() + "/repos")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(EmbeddedServer service, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(service.getURL() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** One repository's records on source-files, in order: a path for a file, "path (deleted)" for a tombstone. */
    private static final class SourceFiles implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final AvroSerde<SourceFile> serde;
        private final String prefix;
        private final List<String> events = new ArrayList<>();

        SourceFiles(KafkaSettings settings, String repo) {
            this.consumer = new KafkaConsumer<>(settings.consumer("restart-test-" + System.nanoTime()));
            this.serde = new AvroSerde<>(SourceFile.class, new SchemaRegistryClient(settings.schemaRegistryUrl()));
            this.prefix = repo + "/";
            consumer.subscribe(List.of(Topics.SOURCE_FILES.name()));
        }

        void await(String what, Predicate<SourceFiles> condition) {
            long deadline = System.currentTimeMillis() + 60_000;
            while (!condition.test(this)) {
                assertTrue(System.currentTimeMillis() < deadline, "no " + what + " on source-files; got " + events);
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    String key = new String(record.key(), StandardCharsets.UTF_8);
                    if (!key.startsWith(prefix)) continue;
                    String path = key.substring(prefix.length());
                    if (record.value() == null) {
                        events.add(path + " (deleted)");
                    } else {
                        assertEquals(path, serde.deserialize(record.topic(), record.value()).getPath());
                        events.add(path);
                    }
                }
            }
        }

        boolean has(String path) {
            return events.contains(path);
        }

        int count(String path) {
            return (int) events.stream().filter(path::equals).count();
        }

        boolean deletedLast(String path) {
            String last = null;
            for (String e : events) if (e.startsWith(path)) last = e;
            return (path + " (deleted)").equals(last);
        }

        /** The events of each path, in the order they arrived. */
        Map<String, List<String>> byPath() {
            Map<String, List<String>> byPath = new java.util.TreeMap<>();
            for (String e : events) byPath.computeIfAbsent(e.split(" ")[0], p -> new ArrayList<>()).add(e);
            return byPath;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
