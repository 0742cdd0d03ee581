package dev.streamparrot.kit;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.util.concurrent.ExecutionException;

/** A send that returns only once the broker acknowledged the record: for the few records a caller must know are written. */
public final class Acked {
    private Acked() {}

    /** Sends and waits for the acknowledgement; a failure is an {@link IllegalStateException} naming the topic. */
    public static RecordMetadata send(Producer<byte[], byte[]> producer, ProducerRecord<byte[], byte[]> record) {
        try {
            return producer.send(record).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot write to " + record.topic() + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to " + record.topic(), e);
        }
    }
}
