package dev.streamparrot.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A local git repository that the ingest service tracks ({@code POST /repos} with its path): commits are made
 * with the git command, and a new request after each asks the service to fetch and ingest what changed.
 */
final class TrackedRepository {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final Path dir;
    private final String ingestUrl;
    private String id;

    private TrackedRepository(Path dir, String ingestUrl) {
        this.dir = dir;
        this.ingestUrl = ingestUrl;
    }

    /**
     * A new repository in a folder of {@code parent} named {@code base} or {@code base-N}: the first of those that
     * the packer puts in the train split at this valid share, so that its chunks are trained (the packer's
     * RepoSplit: the first 53 bits of SHA-256 of the repository's name, valid below the share).
     */
    static TrackedRepository createInTrainSplit(Path parent, String base, double validShare, String ingestUrl) throws Exception {
        Assumptions.assumeTrue(new ProcessBuilder("git", "--version").start().waitFor() == 0, "git is installed");
        String name = base;
        for (int n = 1; splitPosition(name) < validShare; n++) name = base + "-" + n;
        TrackedRepository repo = new TrackedRepository(parent.resolve(name), ingestUrl);
        Files.createDirectories(repo.dir);
        repo.git("init", "-q", "-b", "main");
        return repo;
    }

    /** The repository's name as source-files keys name it: a local repository's directory name. */
    String name() {
        return dir.getFileName().toString();
    }

    /** The source-files key of a file of this repository. */
    String key(String path) {
        return name() + "/" + path;
    }

    /** Writes the files (path → text), commits them and returns the commit's sha. */
    String commit(String message, List<String[]> pathAndText) throws Exception {
        for (String[] file : pathAndText) {
            Path to = dir.resolve(file[0]);
            Files.createDirectories(to.getParent());
            Files.writeString(to, file[1]);
            git("add", file[0]);
        }
        git("-c", "user.name=System Test", "-c", "user.email=test@example.invalid", "commit", "-q", "-m", message);
        return git("rev-parse", "HEAD").trim();
    }

    /** Asks the ingest service to track (the first time) or fetch again (later) this repository. */
    void requestIngest() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(ingestUrl + "/repos"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(java.util.Map.of("url", dir.toString()))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
        id = JSON.readTree(r.body()).path("id").asText();
    }

    /** What {@code GET /repos/{id}} says of it. */
    String state() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(ingestUrl + "/repos/" + id)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Waits until the service has ingested up to this commit (its files acknowledged by the broker). */
    void awaitIngested(String commit, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(ingestUrl + "/repos/" + id)).build(),
                    HttpResponse.BodyHandlers.ofString());
            last = r.statusCode() + " " + r.body();
            if (r.statusCode() == 200) {
                JsonNode state = JSON.readTree(r.body());
                if (commit.equals(state.path("lastCommit").asText()) && "done".equals(state.path("status").asText())) return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("commit " + commit + " not ingested within " + timeout + ": " + last);
    }

    /**
     * The token-ids (and chunk) partition of a source-files key: Kafka's default partitioner, murmur2 of the
     * key's bytes. The callers check it against the partition the file really went to.
     */
    static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** A path like {@code base_N.py} whose key lands on this partition. */
    String pathOnPartition(String base, int partition, int partitions) {
        for (int n = 0; ; n++) {
            String path = base + "_" + n + ".py";
            if (partitionOf(key(path), partitions) == partition) return path;
        }
    }

    private String git(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException(String.join(" ", command) + " failed: " + out);
        return out;
    }

    static double splitPosition(String repo) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(repo.getBytes(StandardCharsets.UTF_8));
        return (java.nio.ByteBuffer.wrap(digest).getLong() >>> 11) / (double) (1L << 53);
    }
}
