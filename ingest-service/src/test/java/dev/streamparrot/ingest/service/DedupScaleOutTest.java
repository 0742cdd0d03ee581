package dev.streamparrot.ingest.service;

import dev.streamparrot.ingest.dedup.LshIndex;
import dev.streamparrot.ingest.dedup.MinHash;
import dev.streamparrot.ingest.file.ContentHash;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.RejectedFile;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.topics.Topic;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dedup stage scales out without changing a verdict: on the real broker, one instance and two instances
 * (same application id, own state directories) read the same candidates, spread over the catalog's partitions,
 * and decide exactly the same, which is what the rule says when computed here from the records alone.
 */
@ExtendWith(RealCluster.class)
class DedupScaleOutTest {
    static final Duration LATENESS = Duration.ofSeconds(20);

    record Candidate(SourceFile file, long timestamp, int partition, long offset) {}

    @Test
    void twoInstancesFindExactlyTheDuplicatesThatOneFinds(@TempDir Path state) throws Exception {
        KafkaSettings settings = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        SchemaRegistryClient registry = new SchemaRegistryClient(settings.schemaRegistryUrl());
        String run = "scale-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        String input = run + Topics.INGEST_CANDIDATES.name();
        DedupTopics one = topics(input, run + "one-");
        DedupTopics two = topics(input, run + "two-");
        List<Topic<?>> created = new ArrayList<>(List.of(new Topic<>(input, Topics.INGEST_CANDIDATES.partitions(), "delete", "-", SourceFile.class)));
        for (DedupTopics t : List.of(one, two)) {
            created.add(new Topic<>(t.bands(), t.bandPartitions(), "delete", "-", byte[].class));
            created.add(new Topic<>(t.verdicts(), t.candidatePartitions(), "delete", "-", byte[].class));
            created.add(new Topic<>(t.files(), Topics.SOURCE_FILES.partitions(), "delete", "-", SourceFile.class));
            created.add(new Topic<>(t.rejected(), 1, "delete", "-", RejectedFile.class));
        }
        TopicAdmin.ensure(settings.bootstrapServers(), created, (short) 1);

        List<KafkaStreams> instances = new ArrayList<>();
        try {
            instances.add(start(settings, registry, one, run + "one", state.resolve("one")));
            instances.add(start(settings, registry, two, run + "two", state.resolve("two-a")));
            instances.add(start(settings, registry, two, run + "two", state.resolve("two-b")));
            awaitTasksSpread(instances);

            long base = System.currentTimeMillis();
            List<Candidate> candidates = new ArrayList<>(produce(settings, registry, input, originals(base)));
            // One of the two leaves while the copies come, and comes back: its pending files and buckets move
            // to the other through the changelogs, and back.
            instances.get(2).close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(20)));
            candidates.addAll(produce(settings, registry, input, copies(base)));
            Thread.sleep(2000);
            instances.set(2, start(settings, registry, two, run + "two", state.resolve("two-b")));
            assertTrue(candidates.stream().allMatch(c -> c.partition() == partition(c.file())), "partitions as planned");

            Map<String, String> expected = expectedVerdicts(candidates);
            Map<String, String> byOne = verdicts(settings, registry, one, candidates.size());
            Map<String, String> byTwo = verdicts(settings, registry, two, candidates.size());
            assertEquals(expected, byOne, "one instance decides as the rule says");
            assertEquals(byOne, byTwo, "two instances decide as one");
            for (int i = 0; i < FAMILIES.size(); i++) {
                String family = FAMILIES.get(i);
                String loser = i < 6 ? "orig/" + family + ".py" : "near/" + family + ".py";
                String winner = i < 6 ? "near/" + family + ".py" : "orig/" + family + ".py";
                assertEquals(String.format("NEAR_DUPLICATE Jaccard %.3f with %s", SyntheticCode.jaccard(0, 60, 0, 62), winner),
                        expected.get(loser), loser);
            }
            assertEquals(4, expected.values().stream().filter(v -> v.startsWith("EXACT_DUPLICATE")).count(), expected.toString());
            awaitTasksSpread(instances); // each of the two instances owns tasks again
        } finally {
            instances.forEach(s -> s.close(Duration.ofSeconds(20)));
        }
    }

    private static DedupTopics topics(String input, String prefix) {
        return new DedupTopics(input, Topics.INGEST_CANDIDATES.partitions(), prefix + Topics.DEDUP_BANDS.name(),
                Topics.DEDUP_BANDS.partitions(), prefix + Topics.DEDUP_VERDICTS.name(), prefix + Topics.SOURCE_FILES.name(),
                prefix + Topics.REJECTED_FILES.name());
    }

    private static KafkaStreams start(KafkaSettings settings, SchemaRegistryClient registry, DedupTopics topics, String app, Path dir) {
        Properties props = new Properties();
        props.putAll(settings.streams(app, dir.toString()));
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        KafkaStreams streams = new KafkaStreams(DedupTopology.build(topics, new AvroSerde<>(SourceFile.class, registry),
                new AvroSerde<>(RejectedFile.class, registry), LATENESS, (file, reason) -> {}), props);
        streams.start();
        return streams;
    }

    /** Waits until every instance runs with tasks of its own, so the two-instance application really is split. */
    private static void awaitTasksSpread(List<KafkaStreams> instances) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            boolean ready = instances.stream().allMatch(s -> s.state() == KafkaStreams.State.RUNNING
                    && s.metadataForLocalThreads().stream().anyMatch(t -> !t.activeTasks().isEmpty()));
            if (ready) return;
            Thread.sleep(200);
        }
        throw new AssertionError("instances not running with tasks: " + instances.stream().map(KafkaStreams::state).toList());
    }

    /**
     * 12 originals, all on candidates partitions 0 and 1, then near copies of each, all on partitions 2 and 3:
     * those of families 0-5 carry a timestamp BEFORE their original's, so they win although they arrive
     * later (the order is the records', not the arrival's); those of 6-11 carry a later one and lose. Exact
     * copies of families 0-3 (other repositories) share their original's partition and lose there.
     */
    private static List<Object[]> originals(long base) {
        List<Object[]> plan = new ArrayList<>(); // file, timestamp
        for (int i = 0; i < FAMILIES.size(); i++) plan.add(new Object[] {file("orig", FAMILIES.get(i), 60), base + 100 + i});
        return plan;
    }

    private static List<Object[]> copies(long base) {
        List<Object[]> plan = new ArrayList<>();
        for (int i = 0; i < FAMILIES.size(); i++) {
            long timestamp = i < 6 ? base - 1000 + i : base + 1000 + i;
            plan.add(new Object[] {file("near", FAMILIES.get(i), 62), timestamp});
        }
        for (int i = 0; i < 4; i++) plan.add(new Object[] {file("copy", FAMILIES.get(i), 60), base + 2000 + i});
        return plan;
    }

    /** Families whose originals hash to partitions 0-1 and whose near copies hash to 2-3 (of the catalog's 4). */
    static final List<String> FAMILIES = families();

    private static List<String> families() {
        List<String> families = new ArrayList<>();
        for (int k = 0; families.size() < 12; k++) {
            String family = "f" + k;
            if (partition(file("orig", family, 60)) < 2 && partition(file("near", family, 62)) >= 2) families.add(family);
        }
        return families;
    }

    /** The producer's default partition of a record keyed by the file's content hash. */
    private static int partition(SourceFile file) {
        byte[] key = file.getContentHash().getBytes(StandardCharsets.UTF_8);
        return Utils.toPositive(Utils.murmur2(key)) % Topics.INGEST_CANDIDATES.partitions();
    }

    private static List<Candidate> produce(KafkaSettings settings, SchemaRegistryClient registry, String topic, List<Object[]> plan)
            throws Exception {
        AvroSerde<SourceFile> serde = new AvroSerde<>(SourceFile.class, registry);
        List<Candidate> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("scale-out-test"))) {
            for (Object[] p : plan) {
                SourceFile file = (SourceFile) p[0];
                long timestamp = (long) p[1];
                RecordMetadata meta = producer.send(new ProducerRecord<>(topic, null, timestamp,
                        file.getContentHash().getBytes(StandardCharsets.UTF_8), serde.serialize(topic, file))).get();
                sent.add(new Candidate(file, timestamp, meta.partition(), meta.offset()));
            }
        }
        return sent;
    }

    /** A module of a family; "orig" and "copy" of one family are the same content, "near" (62 names) adds two. */
    private static SourceFile file(String repo, String family, int names) {
        String content = SyntheticCode.module(family, 0, names);
        return new SourceFile(repo, "c1", family + ".py", "MIT", (long) content.length(), ContentHash.of(content), content, 1);
    }

    /**
     * The rule, computed from the records: each partition's time never goes back (offset order); exact
     * copies lose to the first of their content in the partition; a file is a near-duplicate of the earliest
     * file (time, partition, offset) before it that is no exact copy and reaches Jaccard 0.85.
     */
    private static Map<String, String> expectedVerdicts(List<Candidate> sent) {
        Map<Integer, Long> clock = new HashMap<>();
        record Ordered(Candidate c, long time) {}
        List<Ordered> ordered = new ArrayList<>();
        sent.stream().sorted(Comparator.comparingInt(Candidate::partition).thenComparingLong(Candidate::offset)).forEach(c -> {
            long time = Math.max(c.timestamp(), clock.getOrDefault(c.partition(), 0L));
            clock.put(c.partition(), time);
            ordered.add(new Ordered(c, time));
        });
        ordered.sort(Comparator.comparingLong(Ordered::time).thenComparingInt(o -> o.c().partition()).thenComparingLong(o -> o.c().offset()));
        Map<String, String> verdicts = new TreeMap<>();
        Map<String, String> firstOfHash = new HashMap<>();
        List<Ordered> indexed = new ArrayList<>();
        for (Ordered o : ordered) {
            SourceFile f = o.c().file();
            String key = f.getRepo() + "/" + f.getPath();
            String first = firstOfHash.putIfAbsent(f.getContentHash(), key);
            if (first != null) {
                verdicts.put(key, "EXACT_DUPLICATE copy 2 of " + first);
                continue;
            }
            String near = null;
            for (Ordered earlier : indexed) {
                double j = LshIndex.jaccard(MinHash.tokens(f.getContent()), MinHash.tokens(earlier.c().file().getContent()));
                if (j >= LshIndex.DEFAULT_THRESHOLD) {
                    near = String.format("NEAR_DUPLICATE Jaccard %.3f with %s/%s", j, earlier.c().file().getRepo(), earlier.c().file().getPath());
                    break;
                }
            }
            verdicts.put(key, near == null ? "published" : near);
            indexed.add(o);
        }
        return verdicts;
    }

    /** Reads the application's outputs until every candidate has its verdict. */
    private static Map<String, String> verdicts(KafkaSettings settings, SchemaRegistryClient registry, DedupTopics topics, int expected) {
        AvroSerde<SourceFile> files = new AvroSerde<>(SourceFile.class, registry);
        AvroSerde<RejectedFile> rejections = new AvroSerde<>(RejectedFile.class, registry);
        Map<String, String> verdicts = new TreeMap<>();
        Map<String, Object> config = new HashMap<>(settings.consumer("verdicts-" + UUID.randomUUID()));
        config.put("isolation.level", "read_committed");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topics.files(), topics.rejected()));
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (verdicts.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.topic().equals(topics.files())) {
                        SourceFile f = files.deserialize(r.topic(), r.value());
                        verdicts.put(f.getRepo() + "/" + f.getPath(), "published");
                    } else {
                        RejectedFile f = rejections.deserialize(r.topic(), r.value());
                        verdicts.put(f.getSource() + "/" + f.getPath(), f.getReason() + " " + f.getDetail());
                    }
                }
            }
        }
        assertEquals(expected, verdicts.size(), "a verdict for every candidate: " + verdicts);
        return verdicts;
    }
}
