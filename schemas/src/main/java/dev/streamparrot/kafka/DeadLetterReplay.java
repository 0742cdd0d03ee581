package dev.streamparrot.kafka;

import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.DeadLetter;
import dev.streamparrot.schemas.ReplayMarker;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Re-drives dead letters after a fix: each selected letter's original key and value go back to their
 * original topic (and partition), exactly once. In one transaction per batch it re-publishes the
 * records, with a header naming the dead letter each came from, and writes a {@link ReplayMarker} per
 * letter to the compacted {@code dead-letter-replays} topic; a later run skips letters with a marker.
 * Readers use read_committed, so an aborted or killed replay leaves nothing behind. One fixed
 * transactional id: a new run fences any replay still running and aborts a dead one's open
 * transaction before it reads the markers, so two runs cannot both replay a letter.
 */
public final class DeadLetterReplay {
    public static final String TRANSACTIONAL_ID = "streamparrot-dead-letter-replay";
    /** Header on a re-published record: the dead letter it came from, {@code dead-letters/<partition>/<offset>}. */
    public static final String REPLAYED_FROM_HEADER = "streamparrot.replayed-from";
    static final int BATCH = 100;

    /** Which letters to replay; a null field does not filter. Times compare with when the record was dead-lettered. */
    public record Filter(String topic, Instant since, Instant until, String reasonContains) {
        public boolean matches(DeadLetter letter) {
            return (topic == null || topic.equals(letter.getTopic()))
                    && (since == null || !letter.getFailedAt().isBefore(since))
                    && (until == null || letter.getFailedAt().isBefore(until))
                    && (reasonContains == null || letter.getReason().contains(reasonContains));
        }
    }

    /** A dead letter and where it lies in the dead-letter topic. */
    public record Letter(int partition, long offset, DeadLetter letter) {
        /** Its marker's key. */
        public String key() {
            return Topics.DEAD_LETTERS.name() + "/" + partition + "/" + offset;
        }
    }

    /**
     * @param replayed        re-published by this run (on a dry run: what would be)
     * @param alreadyReplayed letters that matched but have a marker from an earlier run
     * @param unreadable      dead letters the registry could not decode (not replayable until it can)
     */
    public record Result(List<Letter> replayed, int alreadyReplayed, int unreadable) {}

    private final KafkaSettings kafka;
    private final String replayedBy;
    private final Consumer<List<Letter>> beforeCommit;

    /** @param replayedBy who replays, for the markers */
    public DeadLetterReplay(KafkaSettings kafka, String replayedBy) {
        this(kafka, replayedBy, batch -> {});
    }

    /** @param beforeCommit runs inside each batch's transaction before the commit (tests fail it there) */
    DeadLetterReplay(KafkaSettings kafka, String replayedBy, Consumer<List<Letter>> beforeCommit) {
        this.kafka = kafka;
        this.replayedBy = replayedBy;
        this.beforeCommit = beforeCommit;
    }

    public Result run(Filter filter, boolean dryRun) {
        TopicAdmin.ensure(kafka.bootstrapServers(), List.of(Topics.DEAD_LETTERS, Topics.DEAD_LETTER_REPLAYS), (short) 1);
        SchemaRegistryClient registry = new SchemaRegistryClient(kafka.schemaRegistryUrl());
        if (dryRun) return select(filter, registry);
        Map<String, Object> config = kafka.producer(TRANSACTIONAL_ID);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, TRANSACTIONAL_ID);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            producer.initTransactions(); // first: afterwards no other replay can commit, so the markers read next are complete
            Result selected = select(filter, registry);
            AvroSerde<ReplayMarker> markers = new AvroSerde<>(ReplayMarker.class, registry);
            List<Letter> letters = selected.replayed();
            for (int from = 0; from < letters.size(); from += BATCH) {
                List<Letter> batch = letters.subList(from, Math.min(letters.size(), from + BATCH));
                producer.beginTransaction();
                try {
                    publish(producer, batch, markers);
                    beforeCommit.accept(batch);
                    producer.commitTransaction();
                } catch (ProducerFencedException fenced) {
                    throw new IllegalStateException("another replay-dead-letters run took over; this one stopped", fenced);
                } catch (RuntimeException e) {
                    producer.abortTransaction();
                    throw e;
                }
            }
            return selected;
        }
    }

    private void publish(KafkaProducer<byte[], byte[]> producer, List<Letter> batch, AvroSerde<ReplayMarker> markers) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (Letter l : batch) {
            DeadLetter d = l.letter();
            String topic = d.getTopic();
            Integer partition = d.getPartition() < producer.partitionsFor(topic).size() ? d.getPartition() : null;
            RecordHeaders headers = new RecordHeaders();
            headers.add(REPLAYED_FROM_HEADER, l.key().getBytes(StandardCharsets.UTF_8));
            sent.add(producer.send(new ProducerRecord<>(topic, partition, bytes(d.getOriginalKey()), bytes(d.getOriginalValue()), headers)));
        }
        Instant now = Instant.now();
        for (int i = 0; i < batch.size(); i++) {
            Letter l = batch.get(i);
            RecordMetadata where = await(sent.get(i));
            ReplayMarker marker = new ReplayMarker(l.partition(), l.offset(), where.topic(), where.partition(), where.offset(),
                    l.letter().getReason(), replayedBy, now);
            producer.send(new ProducerRecord<>(Topics.DEAD_LETTER_REPLAYS.name(), l.key().getBytes(StandardCharsets.UTF_8),
                    markers.serialize(Topics.DEAD_LETTER_REPLAYS.name(), marker)));
        }
    }

    /** The matching letters without a marker, in dead-letter order. */
    private Result select(Filter filter, SchemaRegistryClient registry) {
        Set<String> replayed = new HashSet<>();
        readAll(Topics.DEAD_LETTER_REPLAYS.name(), r -> {
            if (r.key() != null && r.value() != null) replayed.add(new String(r.key(), StandardCharsets.UTF_8));
        });
        AvroSerde<DeadLetter> serde = new AvroSerde<>(DeadLetter.class, registry);
        List<Letter> selected = new ArrayList<>();
        int[] already = {0}, unreadable = {0};
        readAll(Topics.DEAD_LETTERS.name(), r -> {
            DeadLetter d;
            try {
                d = serde.deserialize(r.topic(), r.value());
            } catch (RuntimeException e) {
                unreadable[0]++;
                return;
            }
            if (d == null || !filter.matches(d)) return;
            Letter letter = new Letter(r.partition(), r.offset(), d);
            if (replayed.contains(letter.key())) already[0]++;
            else selected.add(letter);
        });
        return new Result(List.copyOf(selected), already[0], unreadable[0]);
    }

    /** Every committed record of a topic now, partition after partition. */
    private void readAll(String topic, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        Map<String, Object> config = kafka.consumer("unused");
        config.remove(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            for (var info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                TopicPartition tp = new TopicPartition(topic, info.partition());
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long end = consumer.endOffsets(List.of(tp)).get(tp); // read_committed: the last stable offset
                while (consumer.position(tp) < end) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        if (r.offset() < end) each.accept(r);
                    }
                }
            }
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) return null;
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }

    private static RecordMetadata await(Future<RecordMetadata> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof KafkaException k ? k : new KafkaException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while replaying", e);
        }
    }
}
