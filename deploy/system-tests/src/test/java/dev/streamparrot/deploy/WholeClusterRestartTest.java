package dev.streamparrot.deploy;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.DeadLetter;
import dev.streamparrot.schemas.TokenizedFile;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.testkit.PythonStdlib;
import dev.streamparrot.topics.Topic;
import dev.streamparrot.topics.Topics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole local cluster, as `./streamparrot up` runs it, survives what users do to it: a graceful stop
 * and start, a SIGKILL of the broker and then of the registry while files flow, and a SIGKILL of every
 * process at once. After each, every record on every topic still decodes through the registry, nothing is
 * dead-lettered, the services recover without being restarted by hand, the trainer resumes from its
 * checkpoint and trains on, and the pipeline has lost and repeated nothing: every source file is encoded
 * exactly once, and each chunk stream is exactly its files' ids cut into pieces.
 */
class WholeClusterRestartTest {
    static final int SEQ = ServiceCatalog.LOCAL_CONTEXT; // the local cluster's chunk length (one source of truth)
    /** The Cluster's checkpoint interval in main-line updates (each checkpoint adds the catalog's decay branch). */
    static final int SAVE_CHECKPOINT_STEPS = 4;
    static final List<String> SERVICES = List.of("ingest", "tokenize", "packer", "trainer", "inference");

    @Test
    void stopKillAndStartAgainLosesNothing(@TempDir Path home) throws Exception {
        Cluster cluster = new Cluster(home);
        try {
            cluster.up();
            Path before = copyPackages(home.resolve("corpus-a"), "email", "json", "http", "logging", "urllib", "xml", "importlib", "concurrent");
            Path during = copyPackages(home.resolve("corpus-b"), "asyncio", "unittest", "multiprocessing");

            // 1. the pipeline to chunks and a first checkpoint
            String release = cluster.ingestAndActivateTokenizer(before);
            long firstStep = cluster.awaitCheckpointAfter(0);
            System.out.printf("first checkpoint at step %d%n", firstStep);

            // 2. a graceful stop of everything, then up again
            cluster.stop();
            cluster.up();
            cluster.assertEveryRecordDecodes();
            long resumed = cluster.awaitCheckpointAfter(firstStep);
            System.out.printf("after stop/up the trainer went on to step %d%n", resumed);

            // 3. files flow while the broker, then the registry, are killed with SIGKILL and started again
            Map<String, Long> servicePids = cluster.pids(SERVICES);
            Process ingest = cluster.cliInBackground("ingest-service", "dev.streamparrot.ingest.IngestCli", "ingest-dir",
                    during.toString(), "--license", "PSF-2.0", "--repo-per-subdir", "--no-progress");
            Thread.sleep(2000);
            cluster.kill9("kafka");
            Thread.sleep(3000);
            cluster.up();
            cluster.kill9("registry");
            Thread.sleep(2000);
            cluster.up();
            assertEquals(0, ingest.waitFor(), "the bulk ingest rode through the broker's restart");
            assertEquals(servicePids, cluster.pids(SERVICES), "no service was restarted: each recovered by itself");

            // 4. SIGKILL of every process at once, then up again
            cluster.awaitDrained();
            cluster.kill9All();
            cluster.up();
            cluster.assertEveryRecordDecodes();
            long afterKill = cluster.awaitCheckpointAfter(resumed);
            System.out.printf("after kill -9 of everything the trainer went on to step %d%n", afterKill);

            cluster.awaitDrained();
            cluster.assertExactlyOnce(release);
        } finally {
            cluster.stop();
        }
    }

    /** Copies some packages of this machine's Python standard library: each becomes a repository. */
    static Path copyPackages(Path target, String... packages) throws IOException {
        Path stdlib = PythonStdlib.path();
        for (String name : packages) {
            Path from = stdlib.resolve(name);
            if (!Files.isDirectory(from)) continue;
            try (Stream<Path> files = Files.walk(from)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".py") && !p.toString().contains("__pycache__")).toList()) {
                    Path to = target.resolve(stdlib.relativize(f).toString());
                    Files.createDirectories(to.getParent());
                    Files.copy(f, to);
                }
            }
        }
        return target;
    }

    /** The local cluster in a folder of its own, on free ports, driven through the `streamparrot` command. */
    static final class Cluster {
        final Path home;
        final String[] options;
        final KafkaSettings settings;
        final Supervisor supervisor;
        long lastUp;
        final int servicePortBase;

        /** @param extraOptions more options of `up`, e.g. {@code --set SERVICE:KEY=VALUE} */
        Cluster(Path home, String... extraOptions) throws IOException {
            this.home = home;
            // the services, then the broker, its controller and the registry, all below the ephemeral range
            int services = ServiceCatalog.ALL.size();
            servicePortBase = freePortRange(services + 3);
            int kafka = servicePortBase + services;
            int registry = servicePortBase + services + 2;
            String[] base = {"--home", home.toString(), "--kafka-port", String.valueOf(kafka),
                    "--controller-port", String.valueOf(servicePortBase + services + 1), "--registry-port", String.valueOf(registry),
                    "--service-port-base", String.valueOf(servicePortBase),
                    // a checkpoint every few updates of a small batch, so that a restart has something to resume from
                    "--set", "trainer:streamparrot.trainer.save-checkpoint-steps=" + SAVE_CHECKPOINT_STEPS,
                    "--set", "trainer:streamparrot.trainer.eval-interval=4",
                    "--set", "trainer:streamparrot.trainer.max-eval-steps=2",
                    // one 512-token chunk per update: as many tokens as the 4 x 128 these tests used before cpu-tiny-512
                    "--set", "trainer:streamparrot.trainer.train-batch-size=1",
                    "--set", "trainer:streamparrot.trainer.shuffle-buffer=64",
                    "--set", "trainer:streamparrot.trainer.threads=1",
                    "--set", "packer:streamparrot.packer.valid-share=0.25",
                    // a checkpoint every 4 updates would keep the evaluator busy (QualityOverTimeTest covers it)
                    "--set", "inference:streamparrot.inference.evaluation.enabled=false"};
            options = Stream.concat(Stream.of(base), Stream.of(extraOptions)).toArray(String[]::new);
            settings = new KafkaSettings("127.0.0.1:" + kafka, "http://127.0.0.1:" + registry + "/apis/ccompat/v7");
            supervisor = new Supervisor(home);
        }

        /** Where a service of the catalog listens in this cluster. */
        String url(String service) {
            return "http://127.0.0.1:" + (servicePortBase + ServiceCatalog.ALL.indexOf(ServiceCatalog.named(service)));
        }

        void up() {
            String out = run("up", "--no-job");
            System.out.println(out);
            lastUp = System.nanoTime();
        }

        void stop() {
            run("stop");
        }

        private String run(String command, String... flags) {
            List<String> args = new ArrayList<>(List.of(command));
            args.addAll(List.of(flags));
            args.addAll(List.of(options));
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = LocalCluster.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                    .execute(args.toArray(String[]::new));
            assertEquals(0, code, command + " failed: " + err + "\n" + out);
            return out.toString();
        }

        Map<String, Long> pids(List<String> names) {
            Map<String, Long> pids = new TreeMap<>();
            for (String name : names) pids.put(name, supervisor.running(name).orElseThrow(() -> new AssertionError(name + " is not running")).pid());
            return pids;
        }

        void kill9(String name) throws Exception {
            ProcessHandle process = supervisor.running(name).orElseThrow(() -> new AssertionError(name + " is not running"));
            List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
            all.add(process);
            for (ProcessHandle p : all) new ProcessBuilder("kill", "-9", Long.toString(p.pid())).start().waitFor();
            while (all.stream().anyMatch(ProcessHandle::isAlive)) Thread.sleep(50);
        }

        void kill9All() throws Exception {
            for (String name : List.of("inference", "trainer", "packer", "tokenize", "ingest", "registry", "kafka")) kill9(name);
        }

        /**
         * The start of the main job on a small corpus: ingest the folder (each subfolder a repository), train a
         * 1024-token tokenizer on it and make it current. @return the release id
         */
        String ingestAndActivateTokenizer(Path corpus) throws Exception {
            cli("ingest-service", "dev.streamparrot.ingest.IngestCli", "ingest-dir", corpus.toString(), "--license", "PSF-2.0",
                    "--repo-per-subdir", "--no-progress");
            awaitSourceFiles();
            String trained = cli("tokenize-service", "dev.streamparrot.tokenize.train.TrainTokenizerCommand",
                    "--vocab-size", "1024", "--store", home.resolve("tokenize/tokenizers").toString(), "--no-progress");
            Matcher release = Pattern.compile("released tokenizer ([0-9a-f]+)").matcher(trained);
            assertTrue(release.find(), trained);
            cli("tokenize-service", "dev.streamparrot.tokenize.stream.ActivateCommand", "--id", release.group(1));
            return release.group(1);
        }

        /**
         * Waits until the ingest service's dedup stage has published the source files (their count settles): the CLI's files are candidates
         * until then, and a small corpus can be done ingesting before the stage has passed any on.
         */
        private void awaitSourceFiles() throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            long last = -1;
            for (int quiet = 0; quiet < 3; Thread.sleep(1000)) {
                long now = TopicCounts.count(settings, List.of(Topics.SOURCE_FILES)).get(Topics.SOURCE_FILES.name());
                quiet = now > 0 && now == last ? quiet + 1 : 0;
                last = now;
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("source files did not settle within 2 minutes (" + now + "); ingest log:\n"
                            + Supervisor.tail(supervisor.log("ingest"), 30));
                }
            }
        }

        /** Runs a command-line tool of a module against this cluster, as the main job does; returns what it printed. */
        String cli(String module, String mainClass, String... args) throws Exception {
            Process process = cliInBackground(module, mainClass, args);
            String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, process.waitFor(), mainClass + " failed:\n" + printed);
            return printed;
        }

        Process cliInBackground(String module, String mainClass, String... args) throws IOException {
            Path root = dev.streamparrot.launcher.ProjectPaths.root();
            String classpath = root.resolve(module).resolve("target/classes") + ":"
                    + Files.readString(root.resolve(module).resolve("target/classpath.txt")).trim();
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx1g", "-Dai.djl.offline=true", "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.streamparrot",
                    "-cp", classpath, mainClass));
            command.addAll(List.of(args));
            command.addAll(List.of("--bootstrap-servers", settings.bootstrapServers(), "--schema-registry", settings.schemaRegistryUrl()));
            return new ProcessBuilder(command).redirectErrorStream(true).start();
        }

        /** Waits for an announced checkpoint of a step beyond {@code step}; returns the newest step announced. */
        long awaitCheckpointAfter(long step) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
            while (System.nanoTime() < deadline) {
                long newest = read(Topics.CHECKPOINTS, CheckpointAnnouncement.class).stream()
                        .mapToLong(r -> r.value().getStep()).max().orElse(0);
                if (newest > step) return newest;
                Thread.sleep(2000);
            }
            throw new AssertionError("no checkpoint after step " + step + " within 6 minutes; trainer log:\n"
                    + Supervisor.tail(supervisor.log("trainer"), 30));
        }

        /**
         * Waits until the stages have caught up: every source file has its token ids and the chunk topics stopped
         * growing. A stage restarted after a SIGKILL gets its partitions back only when the killed member's
         * session has expired (Kafka's 45 s default), so nothing moves for that long after an `up`.
         */
        void awaitDrained() throws InterruptedException {
            long sessionExpired = lastUp + Duration.ofSeconds(50).toNanos();
            while (System.nanoTime() < sessionExpired) Thread.sleep(1000);
            List<Topic<?>> stages = List.of(Topics.SOURCE_FILES, Topics.TOKEN_IDS, Topics.CHUNKS_TRAIN, Topics.CHUNKS_VALID);
            long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
            Map<String, Long> last = Map.of();
            for (int quiet = 0; System.nanoTime() < deadline; Thread.sleep(3000)) {
                Map<String, Long> now = TopicCounts.count(settings, stages);
                quiet = now.equals(last) ? quiet + 1 : 0;
                last = now;
                if (quiet >= 3 && now.get(Topics.TOKEN_IDS.name()) >= now.get(Topics.SOURCE_FILES.name())) return;
            }
            throw new AssertionError("the stages did not catch up within 4 minutes: " + last + "; tokenize log:\n"
                    + Supervisor.tail(supervisor.log("tokenize"), 30));
        }

        /** Every record of every topic decodes through the registry (a fresh client: nothing cached), and no dead letters. */
        void assertEveryRecordDecodes() {
            Map<String, Integer> counts = new TreeMap<>();
            for (Topic<?> topic : Topics.ALL) {
                if (!topic.isAvro()) continue; // the dedup stage's own binary topics
                @SuppressWarnings("unchecked")
                Class<SpecificRecord> type = (Class<SpecificRecord>) topic.valueType();
                counts.put(topic.name(), read(topic, type).size()); // read() fails on any record it cannot decode
            }
            System.out.println("records decoded per topic: " + counts);
            assertTrue(counts.get(Topics.CHUNKS_TRAIN.name()) > 0, "there are chunks to decode: " + counts);
            List<Decoded<DeadLetter>> letters = read(Topics.DEAD_LETTERS, DeadLetter.class);
            assertEquals(List.of(), letters.stream().map(l -> l.value().getTopic() + ": " + l.value().getReason()).toList(),
                    "nothing is dead-lettered");
        }

        /**
         * No file lost or encoded twice, no chunk lost or repeated: per input partition and split, the chunks in
         * sequence order are exactly the concatenation of that partition's files (ids, then end-of-text) in log
         * order, up to the remainder that does not fill a chunk yet.
         */
        void assertExactlyOnce(String release) {
            List<Decoded<TokenizedFile>> encoded = read(Topics.TOKEN_IDS, TokenizedFile.class).stream()
                    .filter(r -> r.value() != null && r.value().getTokenizerId().toString().equals(release)).toList();
            Map<String, Integer> timesEncoded = new HashMap<>();
            encoded.forEach(r -> timesEncoded.merge(r.value().getSourceKey().toString(), 1, Integer::sum));
            timesEncoded.forEach((key, times) -> assertEquals(1, times, "times " + key + " was encoded"));
            long sourceFiles = read(Topics.SOURCE_FILES, dev.streamparrot.schemas.SourceFile.class).stream()
                    .filter(r -> r.value() != null).map(r -> new String(r.key(), StandardCharsets.UTF_8)).distinct().count();
            assertEquals(sourceFiles, timesEncoded.size(), "every source file was encoded");

            int eos = read(Topics.TOKENIZER_RELEASES, TokenizerRelease.class).stream()
                    .filter(r -> r.value().getId().toString().equals(release)).findFirst().orElseThrow().value().getEosId();
            List<Chunk> chunks = new ArrayList<>();
            read(Topics.CHUNKS_TRAIN, Chunk.class).forEach(r -> chunks.add(r.value()));
            read(Topics.CHUNKS_VALID, Chunk.class).forEach(r -> chunks.add(r.value()));
            Map<String, List<Chunk>> streams = new TreeMap<>();
            Map<String, String> splitOfFile = new HashMap<>();
            for (Chunk c : chunks) {
                streams.computeIfAbsent(c.getInputPartition() + "/" + c.getSplit(), k -> new ArrayList<>()).add(c);
                c.getSourceKeys().forEach(k -> splitOfFile.put(k.toString(), c.getSplit().toString()));
            }
            Map<String, List<Integer>> expected = new HashMap<>();
            for (Decoded<TokenizedFile> r : encoded) {
                String split = splitOfFile.get(r.value().getSourceKey().toString());
                if (split == null) continue; // only in a remainder so far: checked by the length bound below
                List<Integer> ids = expected.computeIfAbsent(r.partition() + "/" + split, k -> new ArrayList<>());
                for (int id : dev.streamparrot.schemas.TokenIds.unpack(r.value().getIds().duplicate(), r.value().getEncoding())) ids.add(id);
                ids.add(eos);
            }
            int total = 0;
            for (var stream : streams.entrySet()) {
                List<Chunk> sorted = stream.getValue().stream().sorted(Comparator.comparingLong(Chunk::getSequence)).toList();
                List<Integer> actual = new ArrayList<>();
                for (int i = 0; i < sorted.size(); i++) {
                    if (i > 0) assertTrue(sorted.get(i).getSequence() > sorted.get(i - 1).getSequence(), "a chunk repeated in " + stream.getKey());
                    for (int id : dev.streamparrot.schemas.TokenIds.unpack(sorted.get(i).getIds().duplicate(), sorted.get(i).getEncoding())) actual.add(id);
                }
                List<Integer> want = expected.getOrDefault(stream.getKey(), List.of());
                assertTrue(want.size() >= actual.size(), stream.getKey() + ": more chunk ids than file ids");
                assertEquals(want.subList(0, actual.size()), actual, "chunk ids of " + stream.getKey());
                assertTrue(want.size() - actual.size() < SEQ + 2 * SEQ, stream.getKey() + ": ids missing from the chunks");
                total += sorted.size();
            }
            System.out.printf("exactly once: %d files encoded once each, %d chunks equal to their files' ids%n", timesEncoded.size(), total);
        }

        record Decoded<T>(int partition, long offset, byte[] key, T value) {}

        /** Every record of a topic, decoded with a registry client that has cached nothing. */
        <T extends SpecificRecord> List<Decoded<T>> read(Topic<?> topic, Class<T> type) {
            AvroSerde<T> serde = new AvroSerde<>(type, new SchemaRegistryClient(settings.schemaRegistryUrl()));
            List<Decoded<T>> out = new ArrayList<>();
            Map<String, Object> config = settings.consumer("system-test-reader");
            config.put("max.partition.fetch.bytes", 8 * 1024 * 1024);
            try (var consumer = new KafkaConsumer<byte[], byte[]>(config)) {
                List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                        T value;
                        try {
                            value = serde.deserialize(r.topic(), r.value());
                        } catch (RuntimeException e) {
                            throw new AssertionError("cannot decode " + r.topic() + "-" + r.partition() + "@" + r.offset() + ": " + e, e);
                        }
                        out.add(new Decoded<>(r.partition(), r.offset(), r.key(), value));
                    }
                }
            }
            return out;
        }

        /** The first of {@code count} consecutive free ports. */
        static int freePortRange(int count) {
            for (int attempt = 0; attempt < 100; attempt++) {
                // Below Linux's ephemeral range (32768 and up): a port found free there can be taken by any
                // client connection (the broker's, the registry's) before the service gets to bind it.
                int base = 20000 + new java.util.Random().nextInt(12000 - count);
                boolean free = true;
                for (int i = 0; i < count && free; i++) free = Supervisor.portFree(base + i);
                if (free) return base;
            }
            throw new IllegalStateException("no " + count + " consecutive free ports");
        }
    }
}
