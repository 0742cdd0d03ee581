package dev.streamparrot.ingest.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamparrot.ingest.Stdlib;
import dev.streamparrot.ingest.filter.CleaningConfig;
import dev.streamparrot.ingest.pipeline.IngestProgress;
import dev.streamparrot.ingest.pipeline.IngestStats;
import dev.streamparrot.ingest.source.DirectorySource;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.RejectedFile;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.topics.Topics;
import dev.streamparrot.kafka.TopicAdmin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ingest service against the real broker and registry: repositories by HTTP, dedup in the stream stage. */
@ExtendWith(RealCluster.class)
class IngestServiceTest {
    static final String MIT = "MIT License\n\nCopyright (c) 2024 Test\n\nPermission is hereby granted, free of charge, to any person "
            + "obtaining a copy of this software and associated documentation files (the \"Software\"), to deal in the Software "
            + "without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, "
            + "sublicense, and/or sell copies of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND.\n";
    static final ObjectMapper JSON = new ObjectMapper();
    static EmbeddedServer server;
    static KafkaSettings settings;
    static SchemaRegistryClient registry;
    static HttpClient http = HttpClient.newHttpClient();
    /** Python files the cleaning stage accepts, made for this run so no earlier ingest has seen them. */
    static List<String> eligible;

    @BeforeAll
    static void start(@TempDir Path data) throws Exception {
        settings = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        registry = new SchemaRegistryClient(settings.schemaRegistryUrl());
        TopicAdmin.ensure(settings.bootstrapServers(), Topics.ALL, (short) 1);
        server = ApplicationContext.run(EmbeddedServer.class, Map.of(
                "micronaut.server.port", -1,
                "streamparrot.kafka.bootstrap-servers", settings.bootstrapServers(),
                "streamparrot.schema-registry.url", settings.schemaRegistryUrl(),
                "streamparrot.data-dir", data.toString(),
                "streamparrot.ingest.poll-interval", "0s"));
        java.util.Random random = new java.util.Random(System.nanoTime());
        eligible = new ArrayList<>();
        for (int i = 0; i < 6; i++) eligible.add(syntheticModule(random));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void repositoriesIngestOnlyWhatChangedAndDuplicatesAreRejected(@TempDir Path repos) throws Exception {
        Path repoA = repos.resolve("alpha");
        Files.createDirectories(repoA.resolve("pkg"));
        Files.writeString(repoA.resolve("LICENSE"), MIT);
        for (int i = 0; i < 3; i++) write(repoA, "pkg/m" + i + ".py", eligible.get(i));
        Files.writeString(repoA.resolve("pkg/tiny.py"), "x = 1\n"); // below 1,024 bytes
        Files.writeString(repoA.resolve("README.md"), "not python");
        try (Git git = Git.init().setDirectory(repoA.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            git.commit().setMessage("first").setAuthor("t", "t@example.org").setCommitter("t", "t@example.org").call();
        }
        String url = repoA.toUri().toString();
        JsonNode first = ingest(url);
        assertEquals("done", first.get("status").asText(), first.toString());
        assertEquals("MIT", first.get("license").asText());
        assertEquals(3, first.get("accepted").asInt(), first.toString());
        assertEquals(1, first.get("rejected").get("TOO_SMALL").asInt(), first.toString());
        assertEquals(Set.of("pkg/m0.py", "pkg/m1.py", "pkg/m2.py"), publishedPaths("alpha", 3));

        // A second commit adds m3, changes m0, deletes m1: only m3 and the new m0 are published.
        write(repoA, "pkg/m3.py", eligible.get(3));
        write(repoA, "pkg/m0.py", eligible.get(0) + "\n\ndef added_in_second_commit(value):\n    return value * 2\n");
        try (Git git = Git.open(repoA.toFile())) {
            git.rm().addFilepattern("pkg/m1.py").call();
            git.add().addFilepattern(".").call();
            git.commit().setMessage("second").setAuthor("t", "t@example.org").setCommitter("t", "t@example.org").call();
        }
        JsonNode second = ingest(url);
        assertEquals("done", second.get("status").asText(), second.toString());
        assertTrue(!second.get("lastCommit").asText().equals(first.get("lastCommit").asText()));
        assertEquals(5, second.get("accepted").asInt(), "3 + 2 over both ingests: " + second);
        assertEquals(1, second.get("deleted").asInt(), "m1's deletion: " + second);
        List<String> alpha = published("alpha", 5).stream().map(SourceFile::getPath).toList();
        assertEquals(5, alpha.size(), alpha.toString());
        assertEquals(Set.of("pkg/m0.py", "pkg/m1.py", "pkg/m2.py"), Set.copyOf(alpha.subList(0, 3)));
        assertEquals(Set.of("pkg/m0.py", "pkg/m3.py"), Set.copyOf(alpha.subList(3, 5)), "only the new and the changed file");

        // A second repository with an exact copy and a lightly edited copy of alpha's files.
        Path repoB = repos.resolve("beta");
        Files.createDirectories(repoB);
        Files.writeString(repoB.resolve("LICENSE"), MIT);
        write(repoB, "copy.py", eligible.get(2));
        write(repoB, "edited.py", lightlyEdited(eligible.get(3)));
        write(repoB, "own.py", eligible.get(4));
        try (Git git = Git.init().setDirectory(repoB.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            git.commit().setMessage("copies").setAuthor("t", "t@example.org").setCommitter("t", "t@example.org").call();
        }
        JsonNode beta = ingest(repoB.toUri().toString());
        assertEquals(3, beta.get("accepted").asInt(), "all three pass cleaning; dedup is the stream's job: " + beta);
        assertEquals(Set.of("own.py"), publishedPaths("beta", 1));
        Map<String, String> rejections = rejections("beta", 2);
        assertEquals("EXACT_DUPLICATE", rejections.get("copy.py"), rejections.toString());
        assertEquals("NEAR_DUPLICATE", rejections.get("edited.py"), rejections.toString());
    }

    @Test
    void badRequestsAndUnreachableRepositoriesFailClearlyAndTheServiceStaysHealthy(@TempDir Path nowhere) throws Exception {
        HttpResponse<String> notJson = post("/repos", "{not json");
        assertEquals(400, notJson.statusCode());
        assertTrue(notJson.body().contains("not JSON"), notJson.body());
        assertEquals(400, post("/repos", "{\"ref\": \"main\"}").statusCode());
        assertEquals(404, get("/repos/doesnotexist").statusCode());

        JsonNode failed = ingest(nowhere.resolve("missing-repo").toUri().toString());
        assertEquals("failed", failed.get("status").asText(), failed.toString());
        assertTrue(!failed.get("reason").asText().isBlank(), failed.toString());
        assertEquals(200, get("/health").statusCode());
    }

    @Test
    void theStandardLibraryIngestsAndARerunPublishesNothingNew() throws Exception {
        CleaningConfig cleaning = CleaningConfig.defaults();
        String name = "stdlib-" + System.nanoTime();
        DirectorySource stdlib = new DirectorySource(Stdlib.path(), name, "PSF-2.0", Stdlib.EXCLUDED_DIRS);
        try (var publisher = new CandidatePublisher(settings, registry, new SimpleMeterRegistry())) {
            IngestStats firstRun = publisher.publish(List.of(stdlib), cleaning.withAllowedLicenses(Set.of("PSF-2.0")), 1, IngestProgress.NONE);
            System.out.println("stdlib, first run:\n" + firstRun.summary());
            assertTrue(firstRun.accepted() > 100, firstRun.summary());
            assertTrue(firstRun.rejectedTotal() > 0, firstRun.summary());
            int published = awaitStable(name);
            assertTrue(published > 100 && published <= firstRun.accepted(), published + " published");

            IngestStats rerun = publisher.publish(List.of(new DirectorySource(Stdlib.path(), name, "PSF-2.0", Stdlib.EXCLUDED_DIRS)),
                    cleaning.withAllowedLicenses(Set.of("PSF-2.0")), 1, IngestProgress.NONE);
            assertEquals(firstRun.accepted(), rerun.accepted(), "the cleaning stage decides the same way");
            long duplicates = 2 * firstRun.accepted() - published;
            assertEquals(duplicates, duplicateRejections(name, duplicates), "every file of the rerun is a duplicate");
            assertEquals(published, awaitStable(name), "the rerun published nothing new");
        }
    }

    @Test
    void hostileArchivesAreRefusedWithReasonsAndTheServiceStaysHealthy(@TempDir Path tmp) throws Exception {
        Path archive = tmp.resolve("hostile-" + System.nanoTime() + ".zip");
        try (var zip = new org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream(archive)) {
            zipEntry(zip, "../../etc/escape.py", eligible.get(5).getBytes(java.nio.charset.StandardCharsets.UTF_8), 0);
            zipEntry(zip, "bomb.py", new byte[8 << 20], 0);
            zipEntry(zip, "link.py", "/etc/passwd".getBytes(java.nio.charset.StandardCharsets.UTF_8), 0120777);
            zipEntry(zip, "fine.py", syntheticModule(new java.util.Random(System.nanoTime())).getBytes(java.nio.charset.StandardCharsets.UTF_8), 0);
        }
        String source = archive.getFileName().toString();
        try (var publisher = new CandidatePublisher(settings, registry, new SimpleMeterRegistry())) {
            IngestStats stats = publisher.publish(List.of(new dev.streamparrot.ingest.source.ArchiveSource(archive)),
                    CleaningConfig.defaults(), 1, IngestProgress.NONE);
            assertEquals(1, stats.accepted(), stats.summary());
        }
        AvroSerde<RejectedFile> serde = new AvroSerde<>(RejectedFile.class, registry);
        Map<String, String> reasons = readUntil(Topics.REJECTED_FILES.name(), 3,
                bytes -> serde.deserialize(Topics.REJECTED_FILES.name(), bytes), r -> r.getSource().equals(source))
                .stream().collect(Collectors.toMap(RejectedFile::getPath, RejectedFile::getReason, (a, b) -> b));
        assertEquals(Map.of("../../etc/escape.py", "UNSAFE_PATH", "bomb.py", "ARCHIVE_BOMB", "link.py", "SYMLINK"), reasons);
        assertEquals(Set.of("fine.py"), publishedPaths(source, 1));
        assertEquals(200, get("/health").statusCode());
    }

    private static void zipEntry(org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream zip, String name, byte[] data,
                                 int unixMode) throws Exception {
        var entry = new org.apache.commons.compress.archivers.zip.ZipArchiveEntry(name);
        if (unixMode != 0) entry.setUnixMode(unixMode);
        zip.putArchiveEntry(entry);
        zip.write(data);
        zip.closeArchiveEntry();
    }

    // --- helpers ---

    /** A module of small functions whose names and variables are random words: unlike any other file. */
    static String syntheticModule(java.util.Random random) {
        StringBuilder code = new StringBuilder("import math\n\n");
        for (int f = 0; f < 14; f++) {
            String a = word(random), b = word(random), total = word(random), values = word(random);
            code.append("def ").append(word(random)).append('(').append(a).append(", ").append(b).append("):\n")
                .append("    \"\"\"").append(word(random)).append(' ').append(word(random)).append(".\"\"\"\n")
                .append("    ").append(total).append(" = ").append(a).append(" * ").append(random.nextInt(90) + 2).append(" + ").append(b).append('\n')
                .append("    ").append(values).append(" = [").append(total).append(" + k for k in range(").append(random.nextInt(9) + 2).append(")]\n")
                .append("    for item in ").append(values).append(":\n")
                .append("        ").append(total).append(" = ").append(total).append(" + math.sqrt(item)\n")
                .append("    return ").append(total).append("\n\n\n");
        }
        return code.toString();
    }

    /** Consonant-vowel syllables: never a Python keyword, never "test" or "config". */
    private static String word(java.util.Random random) {
        String consonants = "bdfghjklmnpqrvwxz", vowels = "aeiou";
        StringBuilder w = new StringBuilder();
        for (int i = 0; i < 4; i++) w.append(consonants.charAt(random.nextInt(consonants.length()))).append(vowels.charAt(random.nextInt(5)));
        return w.toString();
    }

    private static String lightlyEdited(String content) {
        String[] lines = content.split("\n", -1);
        for (int i = 0; i < lines.length; i += 12) lines[i] = lines[i] + "  # edited";
        return String.join("\n", lines);
    }

    private static void write(Path repo, String path, String content) throws Exception {
        Files.createDirectories(repo.resolve(path).getParent());
        Files.writeString(repo.resolve(path), content);
    }

    /** Requests an ingest and waits for the run it started to end (a state updated after the request, done or failed). */
    private static JsonNode ingest(String url) throws Exception {
        java.time.Instant requested = java.time.Instant.now();
        HttpResponse<String> accepted = post("/repos", JSON.createObjectNode().put("url", url).toString());
        assertEquals(202, accepted.statusCode(), accepted.body());
        String id = JSON.readTree(accepted.body()).get("id").asText();
        long deadline = System.currentTimeMillis() + 120_000;
        JsonNode state = null;
        while (System.currentTimeMillis() < deadline) {
            HttpResponse<String> r = get("/repos/" + id);
            if (r.statusCode() == 200) {
                state = JSON.readTree(r.body());
                String status = state.get("status").asText();
                boolean ended = status.equals("done") || status.equals("failed");
                if (ended && !java.time.Instant.parse(state.get("updatedAt").asText()).isBefore(requested)) return state;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("repository " + url + " did not finish: " + state);
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.getURL() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.getURL() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Set<String> publishedPaths(String repo, int atLeast) {
        return published(repo, atLeast).stream().map(SourceFile::getPath).collect(Collectors.toSet());
    }

    /** source-files records of one repository, in order, once at least {@code atLeast} arrived and 2 s passed quietly. */
    private static List<SourceFile> published(String repo, int atLeast) {
        AvroSerde<SourceFile> serde = new AvroSerde<>(SourceFile.class, registry);
        return readUntil(Topics.SOURCE_FILES.name(), atLeast, bytes -> serde.deserialize(Topics.SOURCE_FILES.name(), bytes),
                f -> f.getRepo().equals(repo));
    }

    private static Map<String, String> rejections(String source, int atLeast) {
        AvroSerde<RejectedFile> serde = new AvroSerde<>(RejectedFile.class, registry);
        return readUntil(Topics.REJECTED_FILES.name(), atLeast, bytes -> serde.deserialize(Topics.REJECTED_FILES.name(), bytes),
                r -> r.getSource().equals(source) && (r.getReason().endsWith("DUPLICATE")))
                .stream().collect(Collectors.toMap(RejectedFile::getPath, RejectedFile::getReason, (a, b) -> b));
    }

    private static long duplicateRejections(String source, long atLeast) {
        AvroSerde<RejectedFile> serde = new AvroSerde<>(RejectedFile.class, registry);
        return readUntil(Topics.REJECTED_FILES.name(), (int) atLeast, bytes -> serde.deserialize(Topics.REJECTED_FILES.name(), bytes),
                r -> r.getSource().equals(source) && r.getReason().endsWith("DUPLICATE")).size();
    }

    /** How many files of the repository source-files holds, once that number stopped growing. */
    private static int awaitStable(String repo) throws InterruptedException {
        int last = published(repo, 1).size();
        while (true) {
            Thread.sleep(3000);
            int now = published(repo, last).size();
            if (now == last) return now;
            last = now;
        }
    }

    private static <T> List<T> readUntil(String topic, int atLeast, java.util.function.Function<byte[], T> decode,
                                         java.util.function.Predicate<T> keep) {
        List<T> found = new ArrayList<>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(settings.consumer("reader-" + System.nanoTime()))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 90_000;
            long quietSince = System.currentTimeMillis();
            while (System.currentTimeMillis() < deadline) {
                var records = consumer.poll(Duration.ofMillis(300));
                for (var record : records) {
                    if (record.value() == null) continue; // a deleted file's tombstone
                    T value = decode.apply(record.value());
                    if (keep.test(value)) found.add(value);
                }
                if (!records.isEmpty()) quietSince = System.currentTimeMillis();
                if (found.size() >= atLeast && System.currentTimeMillis() - quietSince > 2000) break;
            }
        }
        assertTrue(found.size() >= atLeast, "expected at least " + atLeast + " on " + topic + ", got " + found.size());
        return found;
    }
}
