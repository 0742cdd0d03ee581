package dev.streamparrot.pipeline;

import dev.streamparrot.corpus.TestCorpus;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.packer.core.PackedChunk;
import dev.streamparrot.packer.core.ReferencePacker;
import dev.streamparrot.packer.core.RepoSplit;
import dev.streamparrot.packer.stream.ChunksOfRelease;
import dev.streamparrot.packer.stream.PackerStream;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.schemas.TokenizedFile;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.tokenize.stream.TokenizeStream;
import dev.streamparrot.tokenize.stream.TokenizerActivator;
import dev.streamparrot.tokenizer.Tokenizer;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exactly-once with real processes: the tokenize and packer streams run as child JVMs and are killed
 * with SIGKILL at random moments while files flow, then restarted. Afterwards the chunks must equal the
 * offline reference of the files in source-files order, encoded with the real (tiny, trained) tokenizer:
 * no id lost, none repeated, and every file encoded exactly once.
 */
@ExtendWith(RealCluster.class)
class CrashSafetyTest {
    static final int FILES = 2000;
    static final int SEQ = 64;
    static final RepoSplit SPLIT = new RepoSplit(0.1);
    /** A dead member is noticed after this long rather than Kafka's 45 s default: restarts rejoin sooner. */
    static final String SESSION_TIMEOUT = "session.timeout.ms=6000";

    @Test
    void killingBothStagesRepeatedlyLosesAndRepeatsNothing(@TempDir Path dir) throws Exception {
        KafkaSettings settings = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        TopicAdmin.ensure(settings.bootstrapServers(), Topics.ALL, (short) 1);
        List<SourceFile> files = TestCorpus.files("crash", FILES, 11);
        Tokenizer tokenizer = TestCorpus.train(files.subList(0, 300), 320);
        TestCorpus.publish(settings, tokenizer, dir);
        new TokenizerActivator(settings).activate(tokenizer.id(), "crash-test");

        Child tokenize = new Child(dir, "tokenize", TokenizeStream.class.getName(), settings,
                "application.id=tokenize-crash", "threads=2", SESSION_TIMEOUT);
        Child packer = new Child(dir, "packer", PackerStream.class.getName(), settings,
                "application.id=packer-crash", "seq.length=" + SEQ, "valid.share=" + SPLIT.validShare(), SESSION_TIMEOUT);
        Random random = new Random(7);
        int kills = 0;
        try {
            tokenize.start();
            packer.start();
            Thread producer = new Thread(() -> {
                // a steady flow, so that kills land while a stage has output in flight
                for (int from = 0; from < FILES; from += 20) {
                    TestCorpus.produce(settings, files.subList(from, Math.min(FILES, from + 20)));
                    sleep(400);
                }
            });
            producer.start();
            for (int round = 0; round < 6; round++) {
                Child victim = round % 2 == 0 ? tokenize : packer;
                victim.awaitRunning();
                sleep(300 + random.nextInt(3000)); // a random moment of its work (it catches up after a restart)
                tokenize.assertAlive();
                packer.assertAlive();
                victim.kill();
                kills++;
                if (random.nextBoolean()) sleep(random.nextInt(3000));
                victim.start();
            }
            producer.join();

            Map<String, int[]> encodedOnce = tokenIdsOnce(settings, tokenizer.id());
            Map<ReferencePacker.ChunkStream, List<PackedChunk>> expected = reference(settings, tokenizer);
            Map<ReferencePacker.ChunkStream, List<PackedChunk>> actual =
                    ChunksOfRelease.read(settings, tokenizer.id(), ReferencePacker.count(expected), Duration.ofSeconds(240));
            assertEquals(FILES, encodedOnce.size(), "every file encoded exactly once");
            assertEquals(expected.keySet(), actual.keySet());
            for (var stream : expected.keySet()) {
                assertEquals(expected.get(stream).size(), actual.get(stream).size(), "chunks of " + stream);
                assertEquals(expected.get(stream), actual.get(stream), "chunks of " + stream);
            }
            System.out.printf("crash test: %d kills, %d files, %d chunks equal to the reference%n",
                    kills, FILES, ReferencePacker.count(actual));
        } finally {
            tokenize.kill();
            packer.kill();
        }
    }

    /** The reference: source-files read back in partition order, encoded, packed per partition. */
    private static Map<ReferencePacker.ChunkStream, List<PackedChunk>> reference(KafkaSettings settings, Tokenizer tokenizer) {
        var serde = new AvroSerde<>(SourceFile.class, new SchemaRegistryClient(settings.schemaRegistryUrl()));
        List<ReferencePacker.Written> written = new ArrayList<>();
        var records = TestCorpus.readAll(settings, Topics.SOURCE_FILES.name(), FILES);
        records.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition()) : Long.compare(a.offset(), b.offset()));
        for (var record : records) {
            SourceFile file = serde.deserialize(record.topic(), record.value());
            if (!file.getRepo().toString().startsWith("crash")) continue;
            // token-ids keeps the key, so the default partitioner puts the file in the same partition number
            int partition = Utils.toPositive(Utils.murmur2(record.key())) % Topics.TOKEN_IDS.partitions();
            assertEquals(record.partition(), partition);
            written.add(new ReferencePacker.Written(partition, new ReferencePacker.File(new String(record.key(), StandardCharsets.UTF_8),
                    file.getRepo().toString(), tokenizer.encode(file.getContent().toString()))));
        }
        assertEquals(FILES, written.size());
        return ReferencePacker.packPerPartition(written, SEQ, tokenizer.eosId(), SPLIT);
    }

    /** token-ids of this release by source key; fails if any file was encoded twice. */
    private static Map<String, int[]> tokenIdsOnce(KafkaSettings settings, String release) {
        var serde = new AvroSerde<>(TokenizedFile.class, new SchemaRegistryClient(settings.schemaRegistryUrl()));
        Map<String, int[]> byKey = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(settings.consumer("test-token-ids-" + System.nanoTime()))) {
            consumer.subscribe(List.of(Topics.TOKEN_IDS.name()));
            long settle = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settle)) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() == null) continue; // a deleted file's tombstone
                    TokenizedFile file = serde.deserialize(record.topic(), record.value());
                    if (!file.getTokenizerId().toString().equals(release)) continue;
                    int[] before = byKey.put(file.getSourceKey().toString(), new int[0]);
                    assertEquals(null, before, "encoded twice: " + file.getSourceKey());
                }
                if (byKey.size() >= FILES && settle == Long.MAX_VALUE) settle = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            }
        }
        return byKey;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A stage running in its own JVM, on this test's classpath, that can be killed and restarted. */
    private static final class Child {
        private final List<String> command = new ArrayList<>();
        private final Path log;
        private Process process;
        private long runningBefore;

        Child(Path dir, String name, String mainClass, KafkaSettings settings, String... options) throws IOException {
            Path state = Files.createDirectories(dir.resolve(name + "-state"));
            log = dir.resolve(name + ".log");
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-XX:+UseSerialGC",
                    // awaitRunning reads StreamApp's INFO line "-> RUNNING"; this module's slf4j-simple logs WARN and above
                    "-Dorg.slf4j.simpleLogger.log.dev.streamparrot.kit=info",
                    "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.streamparrot", "-cp", System.getProperty("java.class.path"), mainClass,
                    settings.bootstrapServers(), settings.schemaRegistryUrl(), state.toString()));
            command.addAll(List.of(options));
        }

        void start() throws IOException {
            runningBefore = Files.exists(log) ? running() : 0;
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        }

        /** Waits until this run of the child reports its stream RUNNING (a slow machine starts JVMs slowly). */
        void awaitRunning() throws IOException {
            long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
            while (running() <= runningBefore && System.nanoTime() < deadline) {
                assertAlive();
                sleep(200);
            }
            assertTrue(running() > runningBefore, log.getFileName() + " did not reach RUNNING");
        }

        private long running() throws IOException {
            try (var lines = Files.lines(log)) {
                return lines.filter(l -> l.contains("-> RUNNING")).count();
            }
        }

        /** Fails with the child's log when it exited by itself (a crash the test did not cause). */
        void assertAlive() throws IOException {
            assertTrue(process.isAlive(), log.getFileName() + " exited by itself:\n" + Files.readString(log));
        }

        /** SIGKILL: no shutdown hook, no flush, no commit. */
        void kill() throws InterruptedException {
            if (process == null) return;
            process.destroyForcibly();
            process.waitFor();
            assertTrue(!process.isAlive());
        }
    }
}
