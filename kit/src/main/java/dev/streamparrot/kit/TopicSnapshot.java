package dev.streamparrot.kit;

import dev.streamparrot.kafka.DeadLetteringDecoder;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.OutageGuard;
import dev.streamparrot.kafka.SchemaOutageException;
import dev.streamparrot.registry.AvroSerde;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Reads side topics (compacted tables, small logs) from their beginning to their end as of now, and
 * optionally follows them afterwards: the one "assign, seek to the beginning, poll to the end" loop of
 * the project. No consumer group is joined and nothing is committed, so reading moves no one's offsets.
 * Records reach the {@link Handler} in offset order per partition; a tombstone (null value) arrives as a
 * null value without being decoded. A {@link Decoder} that throws {@link SchemaOutageException} (a
 * {@code DeadLetteringDecoder}'s {@code decode}) pauses the reader: it seeks back to that record, waits
 * the outage's backoff and reads it again, so an outage loses and skips nothing.
 */
public final class TopicSnapshot implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicSnapshot.class);
    /** How long one poll waits: a follower asks for the end offsets again after each, so it notices it caught up quickly. */
    private static final Duration POLL = Duration.ofMillis(50);

    /** Turns a record's value into V; empty skips it (e.g. dead-lettered poison). Never given a tombstone. */
    @FunctionalInterface
    public interface Decoder<V> {
        Optional<V> decode(ConsumerRecord<byte[], byte[]> record);
    }

    /** Receives each record with its decoded value, or null for a tombstone. */
    @FunctionalInterface
    public interface Handler<V> {
        void accept(ConsumerRecord<byte[], byte[]> record, V value);
    }

    /** Decodes with the serde; an undecodable record fails the read (the reader owns no dead-letter policy). */
    public static <V extends SpecificRecord> Decoder<V> decoding(AvroSerde<V> serde) {
        return record -> Optional.ofNullable(serde.deserialize(record.topic(), record.value()));
    }

    /**
     * Decodes with the serde and leaves out what it cannot decode: for readers of topics another service
     * owns (and dead-letters), which only need what is readable.
     */
    public static <V extends SpecificRecord> Decoder<V> skippingUnreadable(AvroSerde<V> serde) {
        return record -> {
            try {
                return Optional.ofNullable(serde.deserialize(record.topic(), record.value()));
            } catch (RuntimeException unreadable) {
                return Optional.empty();
            }
        };
    }

    /**
     * For topics another service owns and dead-letters: poison (see {@link OutageGuard}) is left out, but an
     * outage pauses the reader (its breaker open, so {@code /health} says why) and the record is read again.
     *
     * @param breaker as {@code DeadLetteringDecoder.breakerName(service, topic)} names it
     */
    public static <V extends SpecificRecord> Decoder<V> skippingPoison(AvroSerde<V> serde, OutageGuard guard, String breaker) {
        return record -> DeadLetteringDecoder.decodeOrJudge(serde, guard, breaker, record, why ->
                LOG.warn("{}: leaving out {}-{}@{}: {}", breaker, record.topic(), record.partition(), record.offset(), why));
    }

    /** The raw value bytes: for readers that only count or copy records. */
    public static Decoder<byte[]> raw() {
        return record -> Optional.of(record.value());
    }

    /** Reads the topics from their beginning to their end as of now. */
    public static <V> void read(KafkaSettings settings, String clientId, List<String> topics, Decoder<V> decoder, Handler<V> handler) {
        read(settings, clientId, topics, decoder, handler, () -> false);
    }

    /** As {@link #read(KafkaSettings, String, List, Decoder, Handler)}, stopping as soon as {@code enough} is true. */
    public static <V> void read(KafkaSettings settings, String clientId, List<String> topics, Decoder<V> decoder,
                                Handler<V> handler, BooleanSupplier enough) {
        try (Reader<V> reader = new Reader<>(settings, clientId, topics, decoder, handler)) {
            reader.readToEnd(true, enough);
        }
    }

    /**
     * The latest value of each key (keys as UTF-8) of a table topic, from its beginning to its end as of now;
     * a tombstone removes its key. In the order the keys were first seen.
     */
    public static <V> Map<String, V> latestByKey(KafkaSettings settings, String clientId, String topic, Decoder<V> decoder) {
        Map<String, V> latest = new LinkedHashMap<>();
        read(settings, clientId, List.of(topic), decoder, (record, value) -> {
            String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
            if (value == null) latest.remove(key);
            else latest.put(key, value);
        });
        return latest;
    }

    /**
     * Reads the topics from their beginning and keeps following them in a background thread, handing
     * every record to {@code handler} on that thread. {@link #awaitCaughtUp} waits for a point in time.
     */
    public static <V> TopicSnapshot follow(KafkaSettings settings, String clientId, List<String> topics, Decoder<V> decoder,
                                           Handler<V> handler) {
        return new TopicSnapshot(new Reader<>(settings, clientId, topics, decoder, handler), clientId);
    }

    private final Reader<?> reader;
    private final Thread follower;
    private volatile boolean closed;
    /** Every record written to the topics before this time (ms since the epoch) has been handled. */
    private volatile long caughtUpTo = -1;
    private volatile RuntimeException failure;

    private TopicSnapshot(Reader<?> reader, String name) {
        this.reader = reader;
        this.follower = new Thread(this::follow, name);
        this.follower.setDaemon(true);
        this.follower.start();
    }

    private void follow() {
        try {
            while (!closed) {
                long asOf = System.currentTimeMillis();
                reader.readToEnd(false, () -> closed);
                if (!closed) caughtUpTo = asOf;
            }
        } catch (RuntimeException e) {
            if (closed) return; // woken up or interrupted by close()
            failure = e;
            LOG.error("{} stopped following {}", follower.getName(), reader.topics, e);
        } finally {
            Thread.interrupted(); // close() may have interrupted a wait: let the consumer close cleanly
            reader.close();
        }
    }

    /**
     * Waits until every record written before {@code timestamp} (ms since the epoch; capped at now, for a
     * writer whose clock is ahead) has been handled. Returns at once once closed: its owner is shutting down.
     *
     * @throws IllegalStateException when the follower stopped or does not get there within the timeout
     */
    public void awaitCaughtUp(long timestamp, Duration timeout) throws InterruptedException {
        long until = Math.min(timestamp, System.currentTimeMillis());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (caughtUpTo < until && !closed) {
            if (failure != null) throw new IllegalStateException(follower.getName() + " stopped following " + reader.topics, failure);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(follower.getName() + " has not read " + reader.topics + " to their end in " + timeout);
            }
            Thread.sleep(10);
        }
    }

    @Override
    public void close() {
        closed = true;
        reader.consumer.wakeup();
        follower.interrupt(); // ends an outage's backoff wait
        try {
            follower.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One consumer assigned to every partition of the topics, from their beginning. */
    private static final class Reader<V> implements AutoCloseable {
        private final List<String> topics;
        private final Decoder<V> decoder;
        private final Handler<V> handler;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final List<TopicPartition> partitions = new ArrayList<>();

        Reader(KafkaSettings settings, String clientId, List<String> topics, Decoder<V> decoder, Handler<V> handler) {
            this.topics = List.copyOf(topics);
            this.decoder = decoder;
            this.handler = handler;
            Map<String, Object> config = settings.consumer("unused");
            config.remove(ConsumerConfig.GROUP_ID_CONFIG);
            config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
            this.consumer = new KafkaConsumer<>(config);
            try {
                for (String topic : topics) {
                    consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
            } catch (RuntimeException e) {
                consumer.close();
                throw e;
            }
        }

        /**
         * Polls at least once, then until every partition is at its end offset as of the call (read_committed:
         * the last stable offset) or {@code stop} is true.
         *
         * @param asOfNow leave out records written after the call (a one-time read); a follower takes them too
         */
        void readToEnd(boolean asOfNow, BooleanSupplier stop) {
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            do {
                handle(consumer.poll(POLL), asOfNow ? end : null, stop);
            } while (!stop.getAsBoolean() && partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)));
        }

        private void handle(ConsumerRecords<byte[], byte[]> records, Map<TopicPartition, Long> end, BooleanSupplier stop) {
            List<TopicPartition> polled = new ArrayList<>(records.partitions());
            for (int i = 0; i < polled.size(); i++) {
                TopicPartition tp = polled.get(i);
                for (ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
                    if (stop.getAsBoolean()) return;
                    if (end != null && record.offset() >= end.get(tp)) break;
                    try {
                        V value = record.value() == null ? null : decoder.decode(record).orElse(null);
                        if (record.value() == null || value != null) handler.accept(record, value);
                    } catch (SchemaOutageException outage) {
                        // Not past it, nor past anything polled after it: read them again once the outage clears.
                        consumer.seek(tp, record.offset());
                        for (TopicPartition later : polled.subList(i + 1, polled.size())) {
                            consumer.seek(later, records.records(later).get(0).offset());
                        }
                        outage.awaitRetry();
                        return;
                    }
                }
            }
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(2));
        }
    }
}
