package dev.streamparrot.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamparrot.deploy.WholeClusterRestartTest.Cluster;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.PartitionOffset;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.testkit.PythonStdlib;
import dev.streamparrot.topics.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15's "done when", on the local cluster as `./streamparrot up` configures the trainer (endless wsd,
 * fresh-replay): a commit pushed to a tracked local repository is trained within the trainer's bound, the next
 * announced checkpoint's frontier covers its chunks, the provenance endpoint says the served model has seen
 * it, and a completion names that checkpoint.
 */
class ContinuousLearningTest {
    static final double VALID_SHARE = 0.25; // the Cluster's packer setting
    /** The Cluster's trainer: one chunk per update, the catalog's fresh fraction and decay branch. */
    static final Plan CLUSTER_PLAN = new Plan(1, 0.5, WholeClusterRestartTest.SAVE_CHECKPOINT_STEPS, ServiceCatalog.DECAY_STEPS);
    static final int PARTITIONS = Topics.CHUNKS_TRAIN.partitions();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aPushedCommitIsTrainedAnnouncedAndServed(@TempDir Path home) throws Exception {
        Cluster cluster = new Cluster(home);
        try {
            cluster.up();
            // the tokenizer's corpus: one small package; "json" falls in the valid split (RepoSplit), so the train
            // stream holds only the tracked repository and the trainer has no backlog to work through first
            cluster.ingestAndActivateTokenizer(WholeClusterRestartTest.copyPackages(home.resolve("corpus"), "json"));

            TrackedRepository repo = TrackedRepository.createInTrainSplit(home.resolve("git"), "tracked", VALID_SHARE, cluster.url("ingest"));
            String first = repo.commit("first file", List.<String[]>of(new String[]{"bisect_port.py", stdlib("bisect.py")}));
            repo.requestIngest();
            repo.awaitIngested(first, Duration.ofMinutes(2));

            Pushed pushed = push(cluster, repo);
            Trained trained = awaitCovered(cluster, pushed, CLUSTER_PLAN, Duration.ofMinutes(3));
            System.out.printf("commit %s: %d chunks on partition %d, arrived at step %d with a backlog of %d chunks; "
                            + "first covered by the checkpoint of step %d (bound: step %d)%n", pushed.commit, pushed.offsets.size(),
                    pushed.partition, trained.arrivalStep, trained.backlog, trained.announcement.getStep(), trained.boundStep);
            assertTrue(trained.announcement.getStep() <= trained.boundStep,
                    "trained within decay-steps + backlog / (batch x fresh-fraction) updates, announced at the next checkpoint");

            JsonNode provenance = awaitProvenance(cluster, repo.name(), pushed.commit, Duration.ofMinutes(2));
            JsonNode file = provenance.path("files").get(0);
            assertEquals(pushed.path, file.path("path").asText(), provenance.toString());
            assertEquals("trained", file.path("status").asText(), provenance.toString());
            assertEquals(pushed.offsets, offsets(file.path("chunks")), "the endpoint finds the file's chunks: " + provenance);

            JsonNode completion = complete(cluster, "def rgb_to_hsv(r, g, b):");
            CheckpointAnnouncement served = announcementNamed(cluster, completion.path("model").asText()).orElseThrow(() ->
                    new AssertionError("the completion's model names no announced checkpoint: " + completion));
            assertEquals(fingerprint(served), completion.path("system_fingerprint").asText(), "the fingerprint is that checkpoint's");
            assertTrue(served.getStep() >= trained.announcement.getStep() && covers(served, pushed),
                    "the served checkpoint has seen the commit: " + completion);
        } finally {
            cluster.stop();
        }
    }

    /** A commit that adds a new file, as pushed and ingested, and where its chunks are. */
    record Pushed(String commit, String path, int partition, List<Long> offsets, long committedNanos) {}

    /** What bounds training of a fresh chunk: chunks per update, their fresh share, checkpoint interval, decay branch. */
    record Plan(int batch, double freshFraction, int checkpointSteps, int decaySteps) {}

    /** The first checkpoint whose frontier covers a pushed commit's chunks, and the bound it had to meet. */
    record Trained(CheckpointAnnouncement announcement, long arrivalStep, long backlog, long boundStep, long coveredNanos) {}

    /**
     * The new file and the filler of each push: distinct standard-library modules of 4-9 kB (every Python 3
     * since 3.8 has them), so that dedup takes each as new and each push adds a few chunks.
     */
    static final List<String> NEW_FILES = List.of("colorsys.py", "fnmatch.py", "sched.py", "stat.py", "reprlib.py",
            "codeop.py", "linecache.py", "getpass.py", "netrc.py", "genericpath.py");
    static final List<String> FILLERS = List.of("glob.py", "copy.py", "getopt.py", "quopri.py", "shelve.py",
            "py_compile.py", "rlcompleter.py", "hmac.py", "copyreg.py", "zipapp.py");

    private static int pushes;

    /**
     * Commits a new file (a copy of a standard-library module; at most 10 pushes per JVM) and then a second file on the same partition, so
     * that the packer cuts the new file's last ids into a chunk (it holds a partition's remainder until the next
     * file fills it); asks ingest to fetch after each; waits until the new file's chunks are on chunks-train.
     */
    static Pushed push(Cluster cluster, TrackedRepository repo) throws Exception {
        int n = pushes++;
        String path = "fresh_" + n + ".py";
        long committed = System.nanoTime();
        String commit = repo.commit("adds " + path, List.<String[]>of(new String[]{path, stdlib(NEW_FILES.get(n))}));
        repo.requestIngest();
        repo.awaitIngested(commit, Duration.ofMinutes(2));
        String key = repo.key(path);
        int partition = sourceFilePartition(cluster, repo, key);
        assertEquals(partition, TrackedRepository.partitionOf(key, PARTITIONS), "source-files is partitioned by murmur2 of the key");

        String fillerPath = repo.pathOnPartition("more_" + n, partition, PARTITIONS);
        String filler = repo.commit("adds " + fillerPath, List.<String[]>of(new String[]{fillerPath, stdlib(FILLERS.get(n))}));
        repo.requestIngest();
        repo.awaitIngested(filler, Duration.ofMinutes(2));

        String fillerKey = repo.key(fillerPath);
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            var chunks = cluster.read(Topics.CHUNKS_TRAIN, Chunk.class);
            boolean complete = chunks.stream().anyMatch(c -> c.partition() == partition && holds(c.value(), fillerKey));
            if (complete) {
                List<Long> offsets = chunks.stream().filter(c -> holds(c.value(), key)).map(c -> {
                    assertEquals(partition, c.partition(), "a file's chunks are on its token-ids partition");
                    return c.offset();
                }).sorted().toList();
                assertTrue(!offsets.isEmpty(), "the new file has chunks");
                return new Pushed(commit, path, partition, offsets, committed);
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the chunks of " + key + " did not reach chunks-train within 2 minutes");
    }

    /** The partition of a file on source-files: waits for the dedup stage, which publishes after ingest is done. */
    private static int sourceFilePartition(Cluster cluster, TrackedRepository repo, String key) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        List<String> keys = List.of();
        while (System.nanoTime() < deadline) {
            var files = cluster.read(Topics.SOURCE_FILES, SourceFile.class);
            Optional<Integer> partition = files.stream().filter(r -> key.equals(new String(r.key(), StandardCharsets.UTF_8)))
                    .map(Cluster.Decoded::partition).findFirst();
            if (partition.isPresent()) return partition.get();
            keys = files.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).filter(k -> !k.startsWith("json")).toList();
            Thread.sleep(1000);
        }
        throw new AssertionError(key + " is not on source-files within a minute; its other keys: " + keys + "; repository: " + repo.state());
    }

    /**
     * Waits for the first announced checkpoint whose frontier covers the pushed chunks. The bound, from the
     * trainer's README: a chunk that arrives with B untrained chunks is trained within
     * {@code decay-steps + B / (batch x fresh-fraction)} updates, and announced by the next checkpoint after.
     */
    static Trained awaitCovered(Cluster cluster, Pushed pushed, Plan plan, Duration timeout) throws InterruptedException {
        Optional<CheckpointAnnouncement> atArrival = newest(cluster);
        long arrivalStep = atArrival.map(CheckpointAnnouncement::getStep).orElse(0L);
        long trainedBefore = atArrival.map(a -> a.getFrontier().stream().mapToLong(PartitionOffset::getOffset).sum()).orElse(0L);
        long backlog = dev.streamparrot.deploy.TopicCounts.count(cluster.settings, List.of(Topics.CHUNKS_TRAIN))
                .get(Topics.CHUNKS_TRAIN.name()) - trainedBefore;
        long updates = plan.decaySteps + (long) Math.ceil(backlog / (plan.batch * plan.freshFraction));
        long interval = plan.checkpointSteps;
        long boundStep = arrivalStep + interval * (long) Math.ceil((double) updates / interval) + interval;

        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<CheckpointAnnouncement> covering = announcements(cluster).stream().filter(a -> covers(a, pushed)).findFirst();
            if (covering.isPresent()) return new Trained(covering.get(), arrivalStep, backlog, boundStep, System.nanoTime());
            Thread.sleep(1000);
        }
        throw new AssertionError("no checkpoint covered " + pushed + " within " + timeout + " (bound: step " + boundStep
                + "); newest: " + newest(cluster).map(ContinuousLearningTest::fingerprint).orElse("none") + "; trainer log:\n"
                + Supervisor.tail(cluster.supervisor.log("trainer"), 30));
    }

    /** Waits until the served model has seen the commit, by the provenance endpoint; returns its answer. */
    static JsonNode awaitProvenance(Cluster cluster, String repository, String commit, Duration timeout) throws Exception {
        URI uri = URI.create(cluster.url("inference") + "/v1/provenance?repository=" + URLEncoder.encode(repository, StandardCharsets.UTF_8)
                + "&commit=" + commit);
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            last = r.statusCode() + " " + r.body();
            if (r.statusCode() == 200) {
                JsonNode answer = TrackedRepository.JSON.readTree(r.body());
                if (answer.path("trained").asBoolean()) return answer;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("provenance did not say trained within " + timeout + ": " + last);
    }

    static JsonNode complete(Cluster cluster, String prompt) throws Exception {
        String body = TrackedRepository.JSON.writeValueAsString(java.util.Map.of("prompt", prompt, "max_tokens", 4));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(cluster.url("inference") + "/v1/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return TrackedRepository.JSON.readTree(r.body());
    }

    /** The announcement a served model id names: inference names a checkpoint {@code step-<step>-<tokenizer id>}. */
    static Optional<CheckpointAnnouncement> announcementNamed(Cluster cluster, String model) {
        return announcements(cluster).stream().filter(a -> {
            String prefix = "step-" + a.getStep() + "-";
            if (!model.startsWith(prefix)) return false;
            String tokenizer = model.substring(prefix.length()), announced = a.getTokenizerId().toString();
            return !tokenizer.isEmpty() && (announced.startsWith(tokenizer) || tokenizer.startsWith(announced));
        }).findFirst();
    }

    static boolean covers(CheckpointAnnouncement a, Pushed pushed) {
        long last = pushed.offsets.get(pushed.offsets.size() - 1);
        return a.getFrontier().stream().anyMatch(p -> p.getPartition() == pushed.partition && p.getOffset() > last);
    }

    /** The system_fingerprint inference gives a checkpoint: its step and frontier (CheckpointProvenance). */
    static String fingerprint(CheckpointAnnouncement a) {
        String frontier = a.getFrontier().isEmpty() ? "unknown" : a.getFrontier().stream()
                .sorted(Comparator.comparingInt(PartitionOffset::getPartition))
                .map(p -> p.getPartition() + ":" + p.getOffset()).collect(Collectors.joining(","));
        return "step-" + a.getStep() + ";frontier=" + frontier;
    }

    /** Announcements in step order. */
    static List<CheckpointAnnouncement> announcements(Cluster cluster) {
        return cluster.read(Topics.CHECKPOINTS, CheckpointAnnouncement.class).stream().map(Cluster.Decoded::value)
                .sorted(Comparator.comparingLong(CheckpointAnnouncement::getStep)).toList();
    }

    static Optional<CheckpointAnnouncement> newest(Cluster cluster) {
        List<CheckpointAnnouncement> all = announcements(cluster);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    private static boolean holds(Chunk chunk, String key) {
        return chunk.getSourceKeys().stream().anyMatch(k -> key.contentEquals(k));
    }

    private static List<Long> offsets(JsonNode chunks) {
        return java.util.stream.StreamSupport.stream(chunks.spliterator(), false).map(c -> c.path("offset").asLong()).sorted().toList();
    }

    static String stdlib(String module) throws Exception {
        return Files.readString(PythonStdlib.path().resolve(module));
    }
}
