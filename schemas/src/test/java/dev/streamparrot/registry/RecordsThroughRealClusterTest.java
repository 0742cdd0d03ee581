package dev.streamparrot.registry;

import dev.streamparrot.kafka.DeadLetterHandler;
import dev.streamparrot.kafka.DeadLetteringDecoder;
import dev.streamparrot.kafka.DeadLetters;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.OutageGuard;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.schemas.CheckpointEvaluation;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.DeadLetter;
import dev.streamparrot.schemas.RejectedFile;
import dev.streamparrot.schemas.PartitionOffset;
import dev.streamparrot.schemas.ReplayMarker;
import dev.streamparrot.schemas.RepositoryRequest;
import dev.streamparrot.schemas.RepositoryState;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.schemas.Split;
import dev.streamparrot.schemas.TokenEncoding;
import dev.streamparrot.schemas.TokenIds;
import dev.streamparrot.schemas.TokenizedFile;
import dev.streamparrot.schemas.TokenizerActivation;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.topics.Topic;
import dev.streamparrot.topics.Topics;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(RealCluster.class)
class RecordsThroughRealClusterTest {
    static KafkaSettings settings;
    static SchemaRegistryClient registry;

    @BeforeAll
    static void topics() {
        settings = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        registry = new SchemaRegistryClient(settings.schemaRegistryUrl());
        TopicAdmin.ensure(settings.bootstrapServers(), Topics.ALL, (short) 1);
        TopicAdmin.ensure(settings.bootstrapServers(), List.of(
                new Topic<>("poison-input", 1, "delete", "-", SourceFile.class),
                new Topic<>("poison-streams-in", 1, "delete", "-", SourceFile.class),
                new Topic<>("poison-streams-out", 1, "delete", "-", SourceFile.class)), (short) 1);
    }

    @Test
    void everyRecordTypeTravelsThroughTheBrokerAndTheRegistry() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        int[] ids = {0, 1, 50256, 65535};
        Map<Topic<?>, SpecificRecord> samples = new LinkedHashMap<>();
        samples.put(Topics.REPO_REQUESTS, new RepositoryRequest("https://example.org/a.git", "main", "test", now));
        samples.put(Topics.REPO_STATE, new RepositoryState("0a1b2c3d4e5f", "https://example.org/a.git", null, "done", null,
                "abc123", "MIT", 12L, 1L, Map.of("TOO_SMALL", 3L), now));
        samples.put(Topics.INGEST_CANDIDATES, new SourceFile("a/b", null, "y.py", "MIT", 5L, "hash", "print", 1));
        samples.put(Topics.SOURCE_FILES, new SourceFile("a/b", "abc123", "x.py", "MIT", 5L, "hash", "print", 2));
        samples.put(Topics.REJECTED_FILES, new RejectedFile("a/b", null, "y.py", "TOO_SMALL", "3 bytes", 3L));
        samples.put(Topics.TOKENIZER_RELEASES, new TokenizerRelease("tok1", 32768, 0, "file:///t.json", "sha", 10L, 1000L, "report", now));
        samples.put(Topics.TOKENIZER_ACTIVATIONS, new TokenizerActivation("tok1", Map.of("0", 17L), "test", now));
        samples.put(Topics.TOKEN_IDS, new TokenizedFile("a/b/x.py", "a/b", "tok1", TokenEncoding.UINT16_LE, TokenIds.pack(ids, TokenEncoding.UINT16_LE)));
        samples.put(Topics.CHUNKS_TRAIN, new Chunk(7L, 0, "tok1", Split.TRAIN, TokenEncoding.INT32_LE,
                TokenIds.pack(new int[] {1, 70000}, TokenEncoding.INT32_LE), List.of("a/b/x.py")));
        samples.put(Topics.CHUNKS_VALID, new Chunk(0L, 1, "tok1", Split.VALID, TokenEncoding.UINT16_LE,
                TokenIds.pack(ids, TokenEncoding.UINT16_LE), List.of("c/d/y.py", "c/d/z.py")));
        samples.put(Topics.CHECKPOINTS, new CheckpointAnnouncement("run1", 100L, "tok1", 2.5, Math.exp(2.5), "file:///ckpt", "sha", now,
                List.of(), null, null));
        samples.put(Topics.CHECKPOINT_PINS, new CheckpointAnnouncement("run1", 100L, "tok1", 2.5, Math.exp(2.5), "s3://bucket/ckpt/", "sha", now,
                List.of(new PartitionOffset(0, 7L)), 3L, 1024L));
        samples.put(Topics.DEAD_LETTERS, new DeadLetter("t", 0, 5L, "why", "svc", null, ByteBuffer.wrap(new byte[] {1, 2}), now));
        samples.put(Topics.DEAD_LETTER_REPLAYS, new ReplayMarker(0, 5L, "t", 0, 9L, "why", "someone", now));
        samples.put(Topics.CHECKPOINT_EVALUATIONS, new CheckpointEvaluation("run1", 100L, "step-100-tok1", 2.5, Math.exp(2.5), 20, 15,
                0.0, 0L, now));
        for (Topic<?> t : List.of(Topics.TRAINER_CONTRIBUTIONS, Topics.TRAINER_GLOBAL, Topics.TRAINER_OUTER, Topics.TRAINER_COORDINATOR)) {
            samples.put(t, new dev.streamparrot.schemas.TrainerFragment("g", dev.streamparrot.schemas.FragmentKind.CONTRIBUTION, 3L, "m1",
                    "c1", "fp", 512L, 4L, List.of(new dev.streamparrot.schemas.ChunkRange(0, 10L, 14L)), List.of(), 0, 1, 0L, 2L,
                    ByteBuffer.wrap(new byte[8])));
        }
        assertEquals(Topics.ALL.stream().filter(Topic::isAvro).count(), samples.size(),
                "one sample per Avro topic of the catalog");

        try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("schemas-test"))) {
            samples.forEach((topic, value) -> send(producer, topic, value));
            producer.flush();
        }
        for (var entry : samples.entrySet()) {
            Topic<?> topic = entry.getKey();
            List<ConsumerRecord<byte[], byte[]>> records = readAll(topic.name(), 1);
            @SuppressWarnings({"unchecked", "rawtypes"})
            AvroSerde<SpecificRecord> serde = topic.avroSerde(registry);
            SpecificRecord back = serde.deserialize(topic.name(), records.get(records.size() - 1).value());
            assertEquals(entry.getValue(), back, topic.name());
        }
        assertTrue(registry.schemaById(ByteBuffer.wrap(readAll(Topics.SOURCE_FILES.name(), 1).get(0).value(), 1, 4).getInt())
                .getField("contentHash") != null, "the registry holds the writer's schema");
        assertEquals("BACKWARD", registry.compatibility(Topics.SOURCE_FILES.valueSubject()));
    }

    @Test
    void anIncompatibleSchemaChangeIsRefusedAndReportedClearly() {
        String topic = "compat-check";
        Schema v1 = new Schema.Parser().parse("""
                {"type":"record","name":"SourceFile","namespace":"dev.streamparrot.schemas",
                 "fields":[{"name":"repo","type":"int"}]}""");
        registry.register(topic + "-value", v1);
        assertEquals("BACKWARD", registry.compatibility(topic + "-value"));
        AvroSerde<SourceFile> serde = new AvroSerde<>(SourceFile.class, registry);
        SourceFile file = new SourceFile("a/b", null, "x.py", "MIT", 5L, "hash", "print", 1);
        IncompatibleSchemaException refused = assertThrows(IncompatibleSchemaException.class, () -> serde.serialize(topic, file));
        assertTrue(refused.getMessage().contains("compat-check-value"), refused.getMessage());
        assertTrue(refused.getMessage().contains("incompatible"), refused.getMessage());

        // A compatible change (a new field with a default) is accepted.
        Schema v2 = new Schema.Parser().parse("""
                {"type":"record","name":"SourceFile","namespace":"dev.streamparrot.schemas",
                 "fields":[{"name":"repo","type":"int"},{"name":"extra","type":"string","default":""}]}""");
        assertTrue(registry.register(topic + "-value", v2) > 0);
    }

    @Test
    void poisonRecordsGoToTheDeadLetterTopicAndTheConsumerContinues() throws Exception {
        String topic = "poison-input";
        AvroSerde<SourceFile> serde = new AvroSerde<>(SourceFile.class, registry);
        SourceFile good = new SourceFile("a/b", null, "good.py", "MIT", 5L, "hash", "print", 1);
        byte[] unknownId = {0, 0x7f, 0x7f, 0x7f, 0x7f, 2, 3};
        byte[] notWireFormat = "{\"json\": true}".getBytes(StandardCharsets.UTF_8);
        try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("poison-test"))) {
            producer.send(new ProducerRecord<>(topic, unknownId)).get();
            producer.send(new ProducerRecord<>(topic, notWireFormat)).get();
            producer.send(new ProducerRecord<>(topic, serde.serialize(topic, good))).get();

            var decoder = new DeadLetteringDecoder<>(serde, new DeadLetters("schemas-test", registry), producer,
                    new OutageGuard(settings.bootstrapServers()));
            List<SourceFile> decoded = new ArrayList<>();
            for (var record : readAll(topic, 3)) decoder.decode(record).ifPresent(decoded::add);
            assertEquals(List.of(good), decoded, "the consumer went past both poison records");
        }
        List<DeadLetter> letters = deadLettersAbout(topic, 2);
        assertEquals(topic, letters.get(0).getTopic());
        assertTrue(letters.get(0).getReason().contains("schema id 2139062143"), letters.get(0).getReason());
        assertTrue(letters.get(1).getReason().contains("not in the Confluent wire format"), letters.get(1).getReason());
        assertEquals(ByteBuffer.wrap(notWireFormat), letters.get(1).getOriginalValue());
        assertEquals(1L, letters.get(1).getOffset());
    }

    @Test
    void kafkaStreamsDeadLettersPoisonAndContinues(@TempDir Path state) throws Exception {
        AvroSerde<SourceFile> serde = new AvroSerde<>(SourceFile.class, registry);
        SourceFile good = new SourceFile("a/b", null, "streamed.py", "MIT", 5L, "hash", "print", 1);
        try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("poison-streams"))) {
            producer.send(new ProducerRecord<>("poison-streams-in", new byte[] {9, 9, 9})).get();
            producer.send(new ProducerRecord<>("poison-streams-in", serde.serialize("poison-streams-in", good))).get();
        }
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("poison-streams-in", Consumed.with(Serdes.ByteArray(), serde))
                .to("poison-streams-out", Produced.with(Serdes.ByteArray(), serde));
        Properties props = new Properties();
        props.putAll(settings.streams("poison-streams-app", state.toString()));
        assertEquals(DeadLetterHandler.class, props.get("deserialization.exception.handler"));
        try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            streams.start();
            List<ConsumerRecord<byte[], byte[]>> out = readAll("poison-streams-out", 1);
            assertEquals(good, serde.deserialize("poison-streams-out", out.get(0).value()));
        }
        DeadLetter letter = deadLettersAbout("poison-streams-in", 1).get(0);
        assertEquals("poison-streams-in", letter.getTopic());
        assertEquals("poison-streams-app", letter.getService());
        assertTrue(letter.getReason().contains("not in the Confluent wire format"), letter.getReason());
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, Topic<?> topic, SpecificRecord value) {
        @SuppressWarnings({"unchecked", "rawtypes"})
        AvroSerde<SpecificRecord> serde = topic.avroSerde(registry);
        producer.send(new ProducerRecord<>(topic.name(), "k".getBytes(StandardCharsets.UTF_8), serde.serialize(topic.name(), value)));
    }

    /** The dead letters about one input topic (each test uses its own), waiting until {@code count} arrived. */
    private List<DeadLetter> deadLettersAbout(String inputTopic, int count) {
        AvroSerde<DeadLetter> serde = new AvroSerde<>(DeadLetter.class, registry);
        long deadline = System.currentTimeMillis() + 60_000;
        List<DeadLetter> letters = List.of();
        while (letters.size() < count && System.currentTimeMillis() < deadline) {
            letters = readAll(Topics.DEAD_LETTERS.name(), 1).stream()
                    .map(r -> serde.deserialize(r.topic(), r.value()))
                    .filter(letter -> letter.getTopic().equals(inputTopic)).toList();
        }
        assertEquals(count, letters.size(), "dead letters about " + inputTopic);
        return letters;
    }

    /** Reads a topic from the start until at least {@code atLeast} records arrived (or 60 s passed). */
    static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int atLeast) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(settings.consumer("reader-" + System.nanoTime()))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 60_000;
            while (records.size() < atLeast && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        assertTrue(records.size() >= atLeast, "expected " + atLeast + " records on " + topic + ", got " + records.size());
        return records;
    }
}
