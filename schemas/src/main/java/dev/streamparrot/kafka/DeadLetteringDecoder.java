package dev.streamparrot.kafka;

import dev.streamparrot.registry.AvroSerde;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.concurrent.ExecutionException;

/**
 * Decodes records for a plain consumer. A poison record (its own fault: see {@link DecodeFault}, decided
 * with {@link OutageGuard}) is written to the dead-letter topic with the reason, and the consumer moves
 * on. An outage dead-letters nothing: the reader's breaker opens and {@link SchemaOutageException} tells
 * the consumer to seek back to the record and try again later; the first record that decodes closes the
 * breaker.
 */
public final class DeadLetteringDecoder<T extends SpecificRecord> {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetteringDecoder.class);

    private final AvroSerde<T> serde;
    private final DeadLetters deadLetters;
    private final Producer<byte[], byte[]> producer;
    private final OutageGuard guard;

    public DeadLetteringDecoder(AvroSerde<T> serde, DeadLetters deadLetters, Producer<byte[], byte[]> producer, OutageGuard guard) {
        this.serde = serde;
        this.deadLetters = deadLetters;
        this.producer = producer;
        this.guard = guard;
    }

    /** The breaker of this service's reader of a topic, as {@link Breakers} and the health endpoint name it. */
    public static String breakerName(String service, String topic) {
        return service + " reading " + topic;
    }

    /**
     * The decoded value, or empty once the record is safely in the dead-letter topic.
     *
     * @throws SchemaOutageException when the failure is not the record's fault: nothing was dead-lettered
     */
    public Optional<T> decode(ConsumerRecord<byte[], byte[]> record) {
        return decode(record, true);
    }

    /**
     * As {@link #decode}, for a record this reader has read before (a new epoch over the same topic): a
     * poison record, dead-lettered then, gives empty without a second letter.
     */
    public Optional<T> decodeAgain(ConsumerRecord<byte[], byte[]> record) {
        return decode(record, false);
    }

    private Optional<T> decode(ConsumerRecord<byte[], byte[]> record, boolean deadLetterPoison) {
        return decodeOrJudge(serde, guard, breakerName(deadLetters.service(), record.topic()), record, why -> {
            if (deadLetterPoison) deadLetter(record, why);
        });
    }

    /**
     * The one decode step of every guarded reader: the value, or, when it cannot be read, the guard's verdict.
     * An outage opens the breaker and throws; poison is handed to {@code poison} with its reason (to
     * dead-letter it, or to leave it out) and gives empty. Either way a record that decodes closes the breaker.
     *
     * @throws SchemaOutageException when the failure is not the record's fault
     */
    public static <V extends SpecificRecord> Optional<V> decodeOrJudge(AvroSerde<V> serde, OutageGuard guard, String breaker,
                                                                    ConsumerRecord<byte[], byte[]> record, Consumer<String> poison) {
        V value;
        try {
            value = serde.deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            OutageGuard.Verdict verdict = guard.judge(record, e, serde::deserialize);
            if (verdict.fault() == DecodeFault.OUTAGE) {
                Duration retryAfter = Breakers.trip(breaker, verdict.why(), null);
                LOG.warn("{}: paused at {}-{}@{}, retrying in {} ms: {}", breaker, record.topic(), record.partition(),
                        record.offset(), retryAfter.toMillis(), verdict.why());
                throw new SchemaOutageException(record.topic(), record.partition(), record.offset(), retryAfter, e);
            }
            poison.accept(verdict.why());
            Breakers.close(breaker); // its neighbours decode: whatever was wrong before is not any more
            return Optional.empty();
        }
        Breakers.close(breaker);
        return Optional.ofNullable(value);
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> record, String reason) {
        LOG.warn("dead-lettering {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), reason);
        try {
            // Wait for the ack: the caller commits its offset next, and the letter must not be lost before that.
            producer.send(deadLetters.record(record, reason)).get();
        } catch (ExecutionException failed) {
            throw new IllegalStateException("cannot write to the dead-letter topic: " + failed.getCause(), failed.getCause());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dead-lettering", interrupted);
        }
    }
}
