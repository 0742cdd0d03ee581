package dev.streamparrot.kafka;

import dev.streamparrot.registry.AvroSerde;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.ExecutionException;

/**
 * Decodes records for a plain consumer. A record that cannot be decoded (not the wire format, an
 * unknown schema id, bytes Avro cannot read) is written to the dead-letter topic with the reason, and
 * the consumer moves on to the next one.
 */
public final class DeadLetteringDecoder<T extends SpecificRecord> {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetteringDecoder.class);

    private final AvroSerde<T> serde;
    private final DeadLetters deadLetters;
    private final Producer<byte[], byte[]> producer;

    public DeadLetteringDecoder(AvroSerde<T> serde, DeadLetters deadLetters, Producer<byte[], byte[]> producer) {
        this.serde = serde;
        this.deadLetters = deadLetters;
        this.producer = producer;
    }

    /** The decoded value, or empty once the record is safely in the dead-letter topic. */
    public Optional<T> decode(ConsumerRecord<byte[], byte[]> record) {
        try {
            return Optional.ofNullable(serde.deserialize(record.topic(), record.value()));
        } catch (RuntimeException e) {
            LOG.warn("dead-lettering {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
            try {
                // Wait for the ack: the caller commits its offset next, and the letter must not be lost before that.
                producer.send(deadLetters.record(record, e)).get();
            } catch (ExecutionException failed) {
                throw new IllegalStateException("cannot write to the dead-letter topic: " + failed.getCause(), failed.getCause());
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while dead-lettering", interrupted);
            }
            return Optional.empty();
        }
    }
}
