package dev.streamparrot.kafka;

import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.DeadLetter;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Builds dead-letter records: a poison record keeps its bytes and gets a reason, and the service goes on. */
public final class DeadLetters {
    private final String service;
    private final AvroSerde<DeadLetter> serde;

    public DeadLetters(String service, SchemaRegistryClient registry) {
        this.service = service;
        this.serde = new AvroSerde<>(DeadLetter.class, registry);
    }

    /** The service named in its letters; also what its breakers are named after. */
    public String service() {
        return service;
    }

    public DeadLetter letter(String topic, int partition, long offset, byte[] key, byte[] value, Throwable reason) {
        return letter(topic, partition, offset, key, value, describe(reason));
    }

    public DeadLetter letter(String topic, int partition, long offset, byte[] key, byte[] value, String reason) {
        return DeadLetter.newBuilder()
                .setTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setReason(reason)
                .setService(service)
                .setOriginalKey(key == null ? null : ByteBuffer.wrap(key))
                .setOriginalValue(value == null ? null : ByteBuffer.wrap(value))
                .setFailedAt(Instant.now())
                .build();
    }

    public ProducerRecord<byte[], byte[]> record(ConsumerRecord<byte[], byte[]> poison, String reason) {
        return record(letter(poison.topic(), poison.partition(), poison.offset(), poison.key(), poison.value(), reason));
    }

    public ProducerRecord<byte[], byte[]> record(DeadLetter letter) {
        return new ProducerRecord<>(Topics.DEAD_LETTERS.name(), letter.getTopic().getBytes(StandardCharsets.UTF_8),
                serde.serialize(Topics.DEAD_LETTERS.name(), letter));
    }

    static String describe(Throwable reason) {
        StringBuilder text = new StringBuilder(reason.getClass().getSimpleName()).append(": ").append(reason.getMessage());
        for (Throwable cause = reason.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append(" <- ").append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage());
        }
        return text.toString();
    }
}
