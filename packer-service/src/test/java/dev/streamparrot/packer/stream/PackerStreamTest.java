package dev.streamparrot.packer.stream;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.packer.core.PackedChunk;
import dev.streamparrot.packer.core.ReferencePacker;
import dev.streamparrot.packer.core.RepoSplit;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.DeadLetter;
import dev.streamparrot.schemas.Split;
import dev.streamparrot.schemas.TokenEncoding;
import dev.streamparrot.schemas.TokenIds;
import dev.streamparrot.schemas.TokenizedFile;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.topics.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packer stream against the real broker. Every test uses its own tokenizer release and its own
 * application id, and compares only its release's chunks: the topics are shared within the test JVM.
 */
@ExtendWith(RealCluster.class)
class PackerStreamTest {
    static final int SEQ = 64;
    static final int VOCAB = 5000;
    static final int EOS = 0;
    static final RepoSplit SPLIT = new RepoSplit(0.2);
    static KafkaSettings settings;

    @BeforeAll
    static void topics() {
        settings = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        TopicAdmin.ensure(settings.bootstrapServers(), Topics.ALL, (short) 1);
    }

    static List<ReferencePacker.File> files(String prefix, int count, long seed) {
        Random random = new Random(seed);
        List<ReferencePacker.File> files = new ArrayList<>();
        for (int f = 0; f < count; f++) {
            String repo = prefix + "/repo" + random.nextInt(30);
            files.add(new ReferencePacker.File(repo + "/f" + f + ".py", repo, random.ints(random.nextInt(150), 1, VOCAB).toArray()));
        }
        return files;
    }

    static PackerStream packer(Path state, String applicationId) {
        PackerSettings packing = new PackerSettings(applicationId, state.toString(), SEQ, SPLIT.validShare(), 1);
        return new PackerStream(settings, packing, new SimpleMeterRegistry()).start();
    }

    @Test
    void packsAsTheOfflineReferenceFlushesTheRemainderLaterAndDeadLettersPoison(@TempDir Path state) throws Exception {
        String release = "release-reference";
        Topics4Test.publishRelease(settings, release, VOCAB, EOS);
        List<ReferencePacker.Written> written = new ArrayList<>(Topics4Test.writeTokenIds(settings, release, VOCAB, files("first", 300, 1)));
        try (PackerStream packer = packer(state, "packer-test-reference")) {
            var expected = ReferencePacker.packPerPartition(written, SEQ, EOS, SPLIT);
            assertTrue(expected.keySet().stream().anyMatch(s -> s.split() == Split.VALID), "both splits are exercised");
            assertEquals(expected, ChunksOfRelease.read(settings, release, ReferencePacker.count(expected), Duration.ofSeconds(120)));

            writePoison(release);
            written.addAll(Topics4Test.writeTokenIds(settings, release, VOCAB, files("second", 100, 2)));
            var more = ReferencePacker.packPerPartition(written, SEQ, EOS, SPLIT);
            assertTrue(flushedRemainder(expected, more), "some chunk after the first batch starts with a file of the first batch");
            assertEquals(more, ChunksOfRelease.read(settings, release, ReferencePacker.count(more), Duration.ofSeconds(120)));

            List<String> reasons = deadLetterReasons("packer-test-reference", 4);
            assertTrue(reasons.stream().anyMatch(r -> r.contains("unknown tokenizer release 'no-such-release'")), reasons.toString());
            assertTrue(reasons.stream().anyMatch(r -> r.contains("outside the vocabulary")), reasons.toString());
            assertTrue(reasons.stream().anyMatch(r -> r.contains("packed as INT32_LE")), reasons.toString());
            assertTrue(reasons.stream().anyMatch(r -> r.contains("not in the Confluent wire format")), reasons.toString());
            assertEquals(3.0, packer.metrics().deadLettersWritten(), "the three the packer found itself");
            assertTrue(packer.metrics().chunksWritten() >= ReferencePacker.count(more), "counted (other tests' releases may add more)");
        }
    }

    @Test
    void twoInstancesSplitThePartitionsAndTogetherEqualTheReference(@TempDir Path state) throws Exception {
        String release = "release-scaling";
        Topics4Test.publishRelease(settings, release, VOCAB, EOS);
        try (PackerStream one = packer(state.resolve("one"), "packer-test-scaling");
             PackerStream two = packer(state.resolve("two"), "packer-test-scaling")) {
            awaitRunning(one, two);
            var written = Topics4Test.writeTokenIds(settings, release, VOCAB, files("scaling", 400, 3));
            var expected = ReferencePacker.packPerPartition(written, SEQ, EOS, SPLIT);
            Map<ReferencePacker.ChunkStream, List<PackedChunk>> actual =
                    ChunksOfRelease.read(settings, release, ReferencePacker.count(expected), Duration.ofSeconds(120));
            assertEquals(expected, actual);
            assertTrue(one.metrics().chunksWritten() > 0 && two.metrics().chunksWritten() > 0,
                    "both instances packed: " + one.metrics().chunksWritten() + " and " + two.metrics().chunksWritten());
        }
    }

    private static boolean flushedRemainder(Map<ReferencePacker.ChunkStream, List<PackedChunk>> before, Map<ReferencePacker.ChunkStream, List<PackedChunk>> after) {
        return before.entrySet().stream().anyMatch(e -> {
            List<PackedChunk> later = after.get(e.getKey());
            if (later == null || later.size() <= e.getValue().size()) return false;
            return later.get(e.getValue().size()).sourceKeys().get(0).startsWith("first");
        });
    }

    private static void writePoison(String release) throws Exception {
        var serde = new AvroSerde<>(TokenizedFile.class, new SchemaRegistryClient(settings.schemaRegistryUrl()));
        var u16 = TokenEncoding.UINT16_LE;
        List<TokenizedFile> poison = List.of(
                new TokenizedFile("poison/unknown.py", "poison", "no-such-release", u16, TokenIds.pack(new int[] {1, 2}, u16)),
                new TokenizedFile("poison/range.py", "poison", release, u16, TokenIds.pack(new int[] {1, VOCAB}, u16)),
                new TokenizedFile("poison/width.py", "poison", release, TokenEncoding.INT32_LE, TokenIds.pack(new int[] {1}, TokenEncoding.INT32_LE)));
        try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("test-poison"))) {
            for (TokenizedFile file : poison) {
                producer.send(new ProducerRecord<>(Topics.TOKEN_IDS.name(), file.getSourceKey().toString().getBytes(StandardCharsets.UTF_8),
                        serde.serialize(Topics.TOKEN_IDS.name(), file))).get();
            }
            producer.send(new ProducerRecord<>(Topics.TOKEN_IDS.name(), "poison/bytes.py".getBytes(StandardCharsets.UTF_8),
                    new byte[] {7, 7, 7})).get();
            // Not poison: a deleted file's tombstone adds no ids to any chunk and no dead letter.
            producer.send(new ProducerRecord<>(Topics.TOKEN_IDS.name(), "deleted/gone.py".getBytes(StandardCharsets.UTF_8),
                    (byte[]) null)).get();
        }
    }

    private static List<String> deadLetterReasons(String service, int atLeast) {
        var serde = new AvroSerde<>(DeadLetter.class, new SchemaRegistryClient(settings.schemaRegistryUrl()));
        List<String> reasons = new ArrayList<>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(settings.consumer("test-letters-" + System.nanoTime()))) {
            consumer.subscribe(List.of(Topics.DEAD_LETTERS.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (reasons.size() < atLeast && System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    DeadLetter letter = serde.deserialize(record.topic(), record.value());
                    if (letter.getService().toString().equals(service)) reasons.add(letter.getReason().toString());
                }
            }
        }
        return reasons;
    }

    private static void awaitRunning(PackerStream... streams) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        for (PackerStream stream : streams) {
            while (stream.state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) Thread.sleep(100);
        }
    }
}
