package dev.streamparrot.kafka;

import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.DeadLetter;
import dev.streamparrot.schemas.RepositoryRequest;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.launcher.RegistryServer;
import dev.streamparrot.testkit.TcpRelay;
import dev.streamparrot.topics.Topic;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A registry that forgot its data (a second, fresh registry process) or does not answer (a dead port) is
 * an outage: readers pause with their breaker open and health DOWN, dead-letter nothing, and consume
 * everything once the real registry is back. A poison record among good ones is still dead-lettered.
 */
@ExtendWith(RealCluster.class)
class RegistryOutageTest {
    static KafkaSettings settings;
    static SchemaRegistryClient registry;
    static RegistryServer wiped;
    static int realPort;

    @BeforeAll
    static void start() throws Exception {
        settings = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        registry = new SchemaRegistryClient(settings.schemaRegistryUrl());
        realPort = URI.create(settings.schemaRegistryUrl()).getPort();
        TopicAdmin.ensure(settings.bootstrapServers(), List.of(Topics.DEAD_LETTERS), (short) 1);
        Path dir = Files.createTempDirectory("wiped-registry");
        wiped = RegistryServer.start(RealCluster.freePort(), null, dir.resolve("registry.log"), Duration.ofSeconds(120));
    }

    @AfterAll
    static void stop() {
        if (wiped != null) wiped.close();
    }

    @Test
    void aPlainConsumerPausesThroughAWipedAndADeadRegistryAndThenConsumesEverything() throws Exception {
        // 30 good records and, at offset 10, one of another type: poison, but undecidable while the registry is wrong
        String topic = "outage-plain";
        List<SourceFile> written = writeGood(topic, 30, null);
        String breaker = DeadLetteringDecoder.breakerName("outage-test", topic);
        try (TcpRelay relay = new TcpRelay(wiped.port());
             var producer = new KafkaProducer<byte[], byte[]>(settings.producer("outage-plain-letters"))) {
            var viaRelay = new SchemaRegistryClient("http://127.0.0.1:" + relay.port() + "/apis/ccompat/v7");
            var decoder = new DeadLetteringDecoder<>(new AvroSerde<>(SourceFile.class, viaRelay),
                    new DeadLetters("outage-test", registry), producer, new OutageGuard(settings.bootstrapServers()));
            try (PlainReader reader = new PlainReader(topic, decoder)) {
                await("the breaker opens on the wiped registry", () -> Breakers.isOpen(breaker));
                assertTrue(Breakers.open().get(breaker).contains("neighbours"), Breakers.open().toString());
                ClusterProbe.Result health = ClusterProbe.probe(settings);
                assertFalse(health.up(), health.toString());
                assertTrue(String.valueOf(health.details().get("breakers")).contains(breaker), health.toString());

                relay.switchTo(RealCluster.freePort()); // nothing listens there
                await("the breaker names the unreachable registry", () -> Breakers.open().getOrDefault(breaker, "").contains("unreachable"));
                assertEquals(0, reader.decoded.size(), "nothing decoded while the registry is wrong");

                relay.switchTo(realPort);
                await("every record is consumed once the registry is back", () -> reader.decoded.size() == written.size());
                assertEquals(written, reader.decoded);
                assertFalse(Breakers.isOpen(breaker));
                assertFalse(String.valueOf(ClusterProbe.probe(settings).details().get("breakers")).contains(breaker));
            }
        }
        List<DeadLetter> letters = deadLettersAbout(topic);
        assertEquals(List.of(10L), letters.stream().map(DeadLetter::getOffset).toList(),
                "the outage dead-lettered nothing; the record of another type, once the registry was back, is poison: " + letters);
        assertTrue(letters.get(0).getReason().contains("cannot read SourceFile"), letters.get(0).getReason());
    }

    @Test
    void aPoisonRecordAmongGoodOnesIsStillDeadLetteredAndTheRestFlows() throws Exception {
        String topic = "outage-poison";
        byte[] unknownId = {0, 0x7f, 0x7f, 0x7f, 0x7e, 2, 3};
        List<SourceFile> written = writeGood(topic, 20, unknownId);
        try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("outage-poison-letters"))) {
            var decoder = new DeadLetteringDecoder<>(new AvroSerde<>(SourceFile.class, registry),
                    new DeadLetters("outage-test", registry), producer, new OutageGuard(settings.bootstrapServers()));
            try (PlainReader reader = new PlainReader(topic, decoder)) {
                await("the good records are consumed", () -> reader.decoded.size() == written.size());
                assertEquals(written, reader.decoded);
            }
        }
        List<DeadLetter> letters = deadLettersAbout(topic);
        assertEquals(2, letters.size(), letters.toString());
        assertTrue(letters.get(0).getReason().contains("1 of its 20 neighbours"), letters.get(0).getReason()); // the unknown id
        assertTrue(letters.get(0).getReason().contains("cannot read SourceFile"), letters.get(0).getReason());
        assertTrue(letters.get(1).getReason().contains("which the registry does not know"), letters.get(1).getReason());
        assertFalse(Breakers.isOpen(DeadLetteringDecoder.breakerName("outage-test", topic)));
    }

    @Test
    void aStreamStageFailsItsThreadThroughTheOutageDeadLettersOnlyThePoisonAndLosesNothing(@TempDir Path state) throws Exception {
        String in = "outage-streams-in", out = "outage-streams-out";
        TopicAdmin.ensure(settings.bootstrapServers(), List.of(new Topic<>(out, 1, "delete", "-", SourceFile.class)), (short) 1);
        List<SourceFile> written = writeGood(in, 20, null);
        String breaker = DeadLetteringDecoder.breakerName("outage-streams-app", in);
        try (TcpRelay relay = new TcpRelay(wiped.port())) {
            String relayUrl = "http://127.0.0.1:" + relay.port() + "/apis/ccompat/v7";
            AvroSerde<SourceFile> serde = new AvroSerde<>(SourceFile.class, new SchemaRegistryClient(relayUrl));
            StreamsBuilder builder = new StreamsBuilder();
            builder.stream(in, Consumed.with(Serdes.ByteArray(), serde)).to(out, Produced.with(Serdes.ByteArray(), serde));
            Properties props = new Properties();
            props.putAll(settings.streams("outage-streams-app", state.toString()));
            props.put(DeadLetterHandler.REGISTRY_URL_CONFIG, relayUrl);
            try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
                streams.setUncaughtExceptionHandler(DeadLetterHandler.replaceThreadOnOutage("outage-test"));
                streams.start();
                await("the stage's breaker opens", () -> Breakers.isOpen(breaker));
                Thread.sleep(3000); // a few failed threads later: still nothing written, nothing dead-lettered
                assertEquals(0, committed(out).size());
                assertEquals(List.of(), deadLettersAbout(in));
                assertTrue(streams.state().isRunningOrRebalancing(), streams.state().toString());
                assertTrue(Breakers.open().containsKey(breaker), "the check still fails while the registry is wrong");

                relay.switchTo(realPort);
                await("every good record comes out", () -> committed(out).size() >= written.size());
                Thread.sleep(1000);
                List<SourceFile> outputs = committed(out).stream().map(r -> serde.deserialize(out, r.value())).toList();
                assertEquals(written, outputs, "exactly once, in order");
                await("the breaker closes by itself", () -> !Breakers.open().containsKey(breaker));
                assertTrue(streams.state().isRunningOrRebalancing(), streams.state().toString());
            }
        }
        List<DeadLetter> letters = deadLettersAbout(in);
        assertEquals(1, letters.size(), "only the poison record: " + letters);
        assertEquals(10L, letters.get(0).getOffset());
    }

    /**
     * Writes {@code count} good SourceFiles (through the real registry), with a record of another type
     * after the first ten and {@code extraPoison} (if any) after the next five.
     */
    private List<SourceFile> writeGood(String topic, int count, byte[] extraPoison) throws Exception {
        TopicAdmin.ensure(settings.bootstrapServers(), List.of(new Topic<>(topic, 1, "delete", "-", SourceFile.class)), (short) 1);
        AvroSerde<SourceFile> serde = new AvroSerde<>(SourceFile.class, registry);
        AvroSerde<RepositoryRequest> other = new AvroSerde<>(RepositoryRequest.class, registry);
        List<SourceFile> written = new ArrayList<>();
        try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("outage-writer"))) {
            for (int i = 0; i < count; i++) {
                if (i == 10) {
                    var request = new RepositoryRequest("https://example.org/r.git", "main", "test", Instant.now());
                    producer.send(new ProducerRecord<>(topic, other.serialize(topic + "-other", request))).get();
                }
                if (i == 15 && extraPoison != null) producer.send(new ProducerRecord<>(topic, extraPoison)).get();
                SourceFile file = new SourceFile("repo", null, "f" + i + ".py", "MIT", 5L, "hash" + i, "print(" + i + ")", 1);
                producer.send(new ProducerRecord<>(topic, serde.serialize(topic, file))).get();
                written.add(file);
            }
        }
        return written;
    }

    /** A plain consumer as the services run one: in order, back to the failing record on an outage, retried after the backoff. */
    private static final class PlainReader implements AutoCloseable {
        final List<SourceFile> decoded = new CopyOnWriteArrayList<>();
        private final Thread thread;
        private volatile boolean running = true;

        PlainReader(String topic, DeadLetteringDecoder<SourceFile> decoder) {
            thread = new Thread(() -> {
                try (var consumer = new KafkaConsumer<byte[], byte[]>(settings.consumer("reader-" + System.nanoTime()))) {
                    TopicPartition tp = new TopicPartition(topic, 0);
                    consumer.assign(List.of(tp));
                    consumer.seekToBeginning(List.of(tp));
                    while (running) {
                        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                        for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                            try {
                                decoder.decode(r).ifPresent(decoded::add);
                            } catch (SchemaOutageException outage) {
                                consumer.seek(tp, r.offset());
                                outage.awaitRetry();
                                break;
                            }
                        }
                    }
                }
            }, "plain-reader");
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(20_000);
        }
    }

    private static List<DeadLetter> deadLettersAbout(String topic) {
        AvroSerde<DeadLetter> serde = new AvroSerde<>(DeadLetter.class, registry);
        return committed(Topics.DEAD_LETTERS.name()).stream().map(r -> serde.deserialize(r.topic(), r.value()))
                .filter(letter -> letter.getTopic().equals(topic)).toList();
    }

    private static List<ConsumerRecord<byte[], byte[]>> committed(String topic) {
        return committed(settings, topic);
    }

    /** Every committed record of a one-partition topic now. */
    static List<ConsumerRecord<byte[], byte[]>> committed(KafkaSettings settings, String topic) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(settings.consumer("check-" + System.nanoTime()))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (consumer.position(tp) < end) consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what + "; breakers: " + Breakers.open());
            Thread.sleep(200);
        }
    }
}
