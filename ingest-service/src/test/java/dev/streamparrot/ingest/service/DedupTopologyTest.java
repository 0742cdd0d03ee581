package dev.streamparrot.ingest.service;

import dev.streamparrot.schemas.RejectedFile;
import dev.streamparrot.schemas.SourceFile;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dedup stage's logic on one partition of each topic, with the wall clock in the test's hands. */
class DedupTopologyTest {
    static final Duration LATENESS = Duration.ofSeconds(5);
    static final Serde<SourceFile> FILES = avro(SourceFile::toByteBuffer, SourceFile::fromByteBuffer);
    static final Serde<RejectedFile> REJECTIONS = avro(RejectedFile::toByteBuffer, RejectedFile::fromByteBuffer);

    TopologyTestDriver driver;
    TestInputTopic<String, SourceFile> candidates;
    TestOutputTopic<String, SourceFile> published;
    TestOutputTopic<String, RejectedFile> rejected;

    @BeforeEach
    void start(@TempDir Path state) {
        DedupTopics topics = new DedupTopics("ingest-candidates", 1, "dedup-bands", 1, "dedup-verdicts", "source-files", "rejected-files");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "dedup-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        driver = new TopologyTestDriver(DedupTopology.build(topics, FILES, REJECTIONS, LATENESS, (file, reason) -> {}),
                props, Instant.ofEpochMilli(100_000));
        candidates = driver.createInputTopic("ingest-candidates", new StringSerializer(), FILES.serializer());
        published = driver.createOutputTopic("source-files", new StringDeserializer(), FILES.deserializer());
        rejected = driver.createOutputTopic("rejected-files", new StringDeserializer(), REJECTIONS.deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void aFileIsDecidedOnlyWhenNoEarlierFileCanStillArriveAndTheEarliestNearCopyWins() {
        offer(file("alpha", "a.py", SyntheticCode.module("f", 0, 100)), 90_000);
        offer(file("beta", "b.py", SyntheticCode.module("f", 0, 103)), 91_000); // Jaccard 0.97 with a.py
        offer(file("gamma", "a.py", SyntheticCode.module("f", 0, 100)), 92_000); // an exact copy
        offer(file("delta", "d.py", SyntheticCode.module("g", 0, 100)), 93_000); // unrelated

        List<RejectedFile> exact = rejected.readValuesToList();
        assertEquals(1, exact.size(), "an exact copy is rejected at once: its original sits in the same partition");
        assertEquals("EXACT_DUPLICATE", exact.get(0).getReason());
        assertEquals("copy 2 of alpha/a.py", exact.get(0).getDetail());
        assertTrue(published.isEmpty(), "nothing is published before every partition has passed its time");

        tick(); // the partition reports its clock, 93,000: everything before it is decided
        assertEquals(List.of("alpha/a.py"), published.readKeyValuesToList().stream().map(kv -> kv.key).toList());
        List<RejectedFile> near = rejected.readValuesToList();
        assertEquals(1, near.size(), near.toString());
        assertEquals("NEAR_DUPLICATE", near.get(0).getReason());
        assertEquals(String.format("Jaccard %.3f with alpha/a.py", SyntheticCode.jaccard(0, 100, 0, 103)), near.get(0).getDetail());

        tick();
        assertTrue(published.isEmpty(), "a partition quiet for less than max-lateness holds delta back");
        quiet(); // nothing came for max-lateness: the partition moves to now - lateness, past delta
        assertEquals(List.of("delta/d.py"), published.readKeyValuesToList().stream().map(kv -> kv.key).toList());
        assertTrue(rejected.isEmpty());
    }

    @Test
    void aChainKeepsOnlyItsFirstFileWhateverTheOrderOfItsBuckets() {
        offer(file("r", "a.py", SyntheticCode.module("f", 0, 100)), 90_000);
        offer(file("r", "b.py", SyntheticCode.module("f", 5, 105)), 90_001); // 0.90 with a.py
        offer(file("r", "c.py", SyntheticCode.module("f", 10, 110)), 90_002); // 0.90 with b.py, 0.82 with a.py
        assertTrue(SyntheticCode.jaccard(0, 100, 10, 110) < 0.85);
        tick();
        quiet();
        assertEquals(List.of("r/a.py"), published.readKeyValuesToList().stream().map(kv -> kv.key).toList());
        Map<String, String> details = new HashMap<>();
        rejected.readValuesToList().forEach(r -> details.put(r.getPath(), r.getDetail()));
        assertTrue(details.get("b.py").endsWith("with r/a.py"), details.toString());
        assertTrue(details.get("c.py").endsWith("with r/b.py"), "c is a copy of b, rejected or not: " + details);
    }

    @Test
    void aDeletionNeverOvertakesItsFileAndARestoredFileIsANewVersionOfItself() {
        SourceFile first = file("r", "m.py", SyntheticCode.module("f", 0, 100));
        offer(first, 90_000);
        delete("r", "m.py", first.getContentHash(), 90_500);
        SourceFile edited = file("r", "m.py", SyntheticCode.module("f", 0, 102)); // the file comes back, a little changed
        offer(edited, 91_000);
        SourceFile tiny = file("r", "tiny.py", "x = 1\n"); // under 10 tokens: never a near-duplicate
        offer(tiny, 91_500);
        tick();
        quiet();
        List<TestRecord<String, SourceFile>> out = published.readRecordsToList();
        assertEquals(4, out.size(), out.toString());
        assertEquals("r/m.py", out.get(0).key());
        assertEquals(first.getContentHash(), out.get(0).value().getContentHash());
        assertEquals("r/m.py", out.get(1).key());
        assertNull(out.get(1).value(), "the tombstone comes after the file it takes back");
        assertEquals(edited.getContentHash(), out.get(2).value().getContentHash(), "a new version at the same path is no copy");
        assertEquals("r/tiny.py", out.get(3).key());
        assertTrue(rejected.isEmpty());

        offer(file("s", "m.py", SyntheticCode.module("f", 0, 100)), 92_000); // the deleted content elsewhere
        tick();
        quiet();
        assertEquals(List.of(), published.readKeyValuesToList(), "a near copy of the deleted file: its tokens stay indexed");
        RejectedFile copy = rejected.readValuesToList().get(0);
        assertEquals("NEAR_DUPLICATE", copy.getReason(), "not an exact copy: the deletion forgot its content hash");
        assertEquals("Jaccard 1.000 with r/m.py", copy.getDetail());
    }

    private void tick() {
        driver.advanceWallClockTime(DedupTopology.PROGRESS_INTERVAL);
    }

    private void quiet() {
        driver.advanceWallClockTime(LATENESS);
    }

    private void offer(SourceFile file, long timestamp) {
        candidates.pipeInput(new TestRecord<>(file.getContentHash(), file, Instant.ofEpochMilli(timestamp)));
    }

    private void delete(String repo, String path, String contentHash, long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(CandidatePublisher.FILE_KEY_HEADER, (repo + "/" + path).getBytes(StandardCharsets.UTF_8));
        headers.add(CandidatePublisher.CONTENT_HASH_HEADER, contentHash.getBytes(StandardCharsets.UTF_8));
        candidates.pipeInput(new TestRecord<>(contentHash, null, headers, Instant.ofEpochMilli(timestamp)));
    }

    static SourceFile file(String repo, String path, String content) {
        String hash = Integer.toHexString(content.hashCode()) + "-" + content.length();
        return new SourceFile(repo, "c1", path, "MIT", (long) content.length(), hash, content, 1);
    }

    /** Avro's single-object encoding: the topology under test, without a registry. */
    static <T extends SpecificRecordBase> Serde<T> avro(AvroWriter<T> writer, AvroReader<T> reader) {
        return Serdes.serdeFrom((topic, value) -> {
            if (value == null) return null;
            try {
                ByteBuffer b = writer.write(value);
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                return bytes;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, (topic, bytes) -> {
            if (bytes == null) return null;
            try {
                return reader.read(ByteBuffer.wrap(bytes));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    interface AvroWriter<T> {
        ByteBuffer write(T value) throws IOException;
    }

    interface AvroReader<T> {
        T read(ByteBuffer bytes) throws IOException;
    }
}
