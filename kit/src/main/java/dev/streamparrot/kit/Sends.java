package dev.streamparrot.kit;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.util.concurrent.ExecutionException;

/** A send that counts only once the broker has the record: for state and announcements, not for bulk output. */
public final class Sends {
    private Sends() {}

    /**
     * Sends and waits for the broker's acknowledgement.
     *
     * @param what the record, in the error message ("the state of https://...")
     * @throws IllegalStateException when Kafka cannot take it, or on interruption (the flag kept)
     */
    public static <K, V> RecordMetadata acknowledged(Producer<K, V> producer, ProducerRecord<K, V> record, String what) {
        try {
            return producer.send(record).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot write " + what + " to " + record.topic() + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing " + what + " to " + record.topic(), e);
        }
    }
}
