package dev.streamparrot.trainer.group;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kit.TopicSnapshot;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.ChunkRange;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.schemas.TrainerFragment;
import dev.streamparrot.trainer.data.FakeChunkSource;
import dev.streamparrot.trainer.data.Sample;
import dev.streamparrot.trainer.loop.TrainingArgs;
import dev.streamparrot.trainer.loop.TrainingListener;
import dev.streamparrot.model.TrainStep;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Chunks, members and a reader of the exchanged rounds, for the group's tests on the real broker. */
final class GroupTestKit {
    static final int VOCAB = 64, SEQ = 32;
    static final String TOKENIZER = "tok";

    private GroupTestKit() {}

    /** Tiny model, tiny batches: a step takes milliseconds. */
    static TrainingArgs args(long maxTrainSteps) {
        return TrainingArgs.profile("cpu-tiny").with(Map.ofEntries(
                Map.entry("seq_length", "" + SEQ), Map.entry("train_batch_size", "4"), Map.entry("valid_batch_size", "4"),
                Map.entry("shuffle_buffer", "1"), Map.entry("max_train_steps", "" + maxTrainSteps), Map.entry("num_warmup_steps", "3"),
                Map.entry("gradient_accumulation_steps", "1"), Map.entry("save_checkpoint_steps", "1000"),
                Map.entry("eval-interval", "1000"), Map.entry("log_interval", "5"), Map.entry("max_eval_steps", "2")));
    }

    /** Sequences of a noisy counter (next id = previous + 1 mostly): learnable, each chunk different. */
    static int[] ids(Random r) {
        int[] ids = new int[SEQ];
        ids[0] = r.nextInt(VOCAB);
        for (int i = 1; i < SEQ; i++) ids[i] = r.nextInt(10) == 0 ? r.nextInt(VOCAB) : (ids[i - 1] + 1) % VOCAB;
        return ids;
    }

    /** A test's cluster, its own group topics with chunks on them, and the tokenizer release of those chunks. */
    record Fixture(KafkaSettings kafka, GroupTopics topics, List<int[]> chunks, TokenizerRelease release, String id) {}

    /** The real cluster, fresh topics named after the test, {@code train} + {@code valid} chunks ({@link #writeChunks}), a unique id. */
    static Fixture fixture(Path dir, String name, int train, int valid, long seed) throws Exception {
        KafkaSettings kafka = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        String id = name + "-" + System.nanoTime(); // also the test's group and run id
        GroupTopics topics = topics(kafka, id + "-");
        return new Fixture(kafka, topics, writeChunks(kafka, topics, train, valid, seed), release(dir), id);
    }

    /** A unique topic prefix for a test. */
    static String prefix(String name) {
        return name + "-" + System.nanoTime() + "-";
    }

    static GroupTopics topics(KafkaSettings kafka, String prefix) {
        GroupTopics t = GroupTopics.prefixed(prefix);
        GroupMember.ensureTopics(kafka.bootstrapServers(), t);
        return t;
    }

    /** Chunk i goes to partition i % partitions (the train topic) and every validation chunk to the valid topic. */
    static List<int[]> writeChunks(KafkaSettings kafka, GroupTopics topics, int train, int valid, long seed) throws Exception {
        SchemaRegistryClient registry = new SchemaRegistryClient(kafka.schemaRegistryUrl());
        AvroSerde<Chunk> serde = new AvroSerde<>(Chunk.class, registry);
        Random r = new Random(seed);
        List<int[]> written = new ArrayList<>();
        // one request in flight: several to a partition of the test broker, under load, twice ended in an endless
        // OUT_OF_ORDER_SEQUENCE_NUMBER retry of the idempotent producer. Still batched: the chunks arrive at once,
        // as GroupMembershipTest's timing expects (sent one by one, a member saw them trickle in)
        Map<String, Object> config = kafka.producer("group-test-chunks");
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        try (var producer = new KafkaProducer<byte[], byte[]>(config)) {
            for (int i = 0; i < train; i++) {
                int[] ids = ids(r);
                written.add(ids);
                String t = topics.chunks().name();
                producer.send(new ProducerRecord<>(t, i % topics.chunks().partitions(), null, serde.serialize(t, FakeChunkSource.chunk(TOKENIZER, ids))));
            }
            for (int i = 0; i < valid; i++) {
                String t = topics.valid().name();
                producer.send(new ProducerRecord<>(t, 0, null, serde.serialize(t, FakeChunkSource.chunk(TOKENIZER, ids(r)))));
            }
            producer.flush();
        }
        return written;
    }

    static TokenizerRelease release(Path dir) throws Exception {
        Path json = dir.resolve("tokenizer.json");
        if (!Files.exists(json)) Files.writeString(json, "{\"model\": {\"type\": \"BPE\"}}\n");
        return new TokenizerRelease(TOKENIZER, VOCAB, VOCAB - 1, json.toUri().toString(), dev.streamparrot.artifacts.Sha256.of(json), 0L, 0L, "", Instant.now());
    }

    /** What one member did, as its listener heard it. */
    static final class Recorder implements GroupListener {
        final Map<String, List<Sample>> contributions = new ConcurrentHashMap<>();
        final Map<String, Long> contributionRounds = new ConcurrentHashMap<>();
        final List<Long> roundsStarted = new CopyOnWriteArrayList<>();
        final Map<Long, float[]> startParams = new ConcurrentHashMap<>();
        final Map<Long, TrainStep.Result> updates = new ConcurrentHashMap<>();

        @Override
        public void roundStarted(long round, float[] params) {
            roundsStarted.add(round);
            startParams.putIfAbsent(round, params);
        }

        @Override
        public void contributed(String id, long round, List<Sample> trained) {
            contributions.put(id, trained);
            contributionRounds.put(id, round);
        }

        @Override
        public void updated(TrainStep.Result r, double tokensPerSecond) {
            updates.put(r.step(), r);
        }
    }

    /** A member on its own thread. */
    static final class MemberThread {
        final GroupMember member;
        final Recorder recorder = new Recorder();
        final GroupStatus status = new GroupStatus();
        final Thread thread;
        volatile Throwable failure;

        MemberThread(KafkaSettings kafka, GroupSettings settings, GroupTopics topics, GroupMember.Run run, TokenizerRelease release,
                     List<TrainingListener> more) {
            List<TrainingListener> listeners = new ArrayList<>(more);
            listeners.add(recorder);
            member = new GroupMember(kafka, settings, topics, run, listeners, List.of(), status, fastSession(),
                    id -> id.equals(release.getId()) ? Optional.of(release) : Optional.empty());
            thread = new Thread(() -> {
                try {
                    member.run();
                } catch (Throwable t) {
                    failure = t;
                }
            }, "member-" + System.nanoTime());
            thread.setDaemon(true);
            thread.start();
        }

        void join(Duration timeout) throws Exception {
            thread.join(timeout.toMillis());
            if (thread.isAlive()) throw new AssertionError(thread.getName() + " still runs after " + timeout + ": " + status.snapshot());
            if (failure != null) throw new AssertionError(thread.getName() + " failed", failure);
        }
    }

    /** A dead member's session expires in 6 s (the broker's minimum), not 45. */
    static Map<String, Object> fastSession() {
        return Map.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000);
    }

    /** A round as the coordinator published it. */
    record Published(long round, TrainerFragment header, float[] params) {}

    /** Every fragment on a group topic, in offset order (kit's TopicSnapshot: from the beginning to the end as of now). */
    static List<TrainerFragment> fragments(KafkaSettings kafka, String topic) {
        AvroSerde<TrainerFragment> serde = new AvroSerde<>(TrainerFragment.class, new SchemaRegistryClient(kafka.schemaRegistryUrl()));
        List<TrainerFragment> all = new ArrayList<>();
        TopicSnapshot.read(kafka, "group-test-" + topic, List.of(topic), TopicSnapshot.decoding(serde), (record, f) -> all.add(f));
        return all;
    }

    /** Every complete round on a round topic, in order. */
    static Map<Long, Published> rounds(KafkaSettings kafka, String topic) {
        Map<Long, Fragments.Assembly> assembling = new TreeMap<>();
        Map<Long, Published> out = new TreeMap<>();
        for (TrainerFragment f : fragments(kafka, topic)) {
            Fragments.Assembly a = assembling.get(f.getRound());
            if (a == null) assembling.put(f.getRound(), a = new Fragments.Assembly(f));
            else a.add(f);
            if (a.complete()) out.put(f.getRound(), new Published(f.getRound(), a.header(), a.values()));
        }
        return out;
    }

    /** Every complete contribution on the contributions topic, by id: its local parameters (null when empty). */
    static Map<String, float[]> contributionParams(KafkaSettings kafka, String topic) {
        Map<String, Fragments.Assembly> assembling = new HashMap<>();
        Map<String, float[]> out = new HashMap<>();
        for (TrainerFragment f : fragments(kafka, topic)) {
            Fragments.Assembly a = assembling.get(f.getContributionId());
            if (a == null) assembling.put(f.getContributionId(), a = new Fragments.Assembly(f));
            else a.add(f);
            if (a.complete()) out.put(f.getContributionId(), a.values());
        }
        return out;
    }

    /**
     * Asserts that the chunk ranges of the contributions the rounds accepted tile each partition from offset 0: no
     * chunk trained twice, none skipped. Returns where each partition was trained up to.
     */
    static Map<Integer, Long> assertTrainedOnce(KafkaSettings kafka, GroupTopics topics) {
        Map<String, List<ChunkRange>> ranges = contributionRanges(kafka, topics.contributions().name());
        Map<Integer, Long> reached = new TreeMap<>();
        for (Published r : rounds(kafka, topics.global().name()).values()) {
            for (String id : r.header().getAccepted()) {
                for (ChunkRange c : ranges.get(id)) {
                    if (reached.getOrDefault(c.getPartition(), 0L) != c.getFrom()) {
                        throw new AssertionError("partition " + c.getPartition() + ": round " + r.round() + " trained from " + c.getFrom()
                                + ", the rounds before reached " + reached.getOrDefault(c.getPartition(), 0L));
                    }
                    reached.put(c.getPartition(), c.getTo());
                }
            }
        }
        return reached;
    }

    /** Every complete contribution on the contributions topic, by id: its ranges. */
    static Map<String, List<ChunkRange>> contributionRanges(KafkaSettings kafka, String topic) {
        Map<String, List<ChunkRange>> out = new HashMap<>();
        for (TrainerFragment f : fragments(kafka, topic)) {
            if (f.getIndex() == 0) out.put(f.getContributionId(), List.copyOf(f.getRanges()));
        }
        return out;
    }
}
