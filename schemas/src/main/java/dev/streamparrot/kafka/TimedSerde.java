package dev.streamparrot.kafka;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.util.function.LongConsumer;
import java.util.function.Supplier;

/** A serde that reports the nanoseconds it spends, so a benchmark can tell Avro's share from Kafka's. */
public final class TimedSerde<T> implements Serde<T> {
    private final Serde<T> inner;
    private final LongConsumer nanos;

    /** @param nanos told the duration of every (de)serialization, e.g. {@code n -> timer.record(n, NANOSECONDS)} */
    public TimedSerde(Serde<T> inner, LongConsumer nanos) {
        this.inner = inner;
        this.nanos = nanos;
    }

    @Override
    public Serializer<T> serializer() {
        Serializer<T> serializer = inner.serializer();
        return (topic, value) -> timed(() -> serializer.serialize(topic, value));
    }

    @Override
    public Deserializer<T> deserializer() {
        Deserializer<T> deserializer = inner.deserializer();
        return (topic, bytes) -> timed(() -> deserializer.deserialize(topic, bytes));
    }

    private <R> R timed(Supplier<R> work) {
        long t0 = System.nanoTime();
        try {
            return work.get();
        } finally {
            nanos.accept(System.nanoTime() - t0);
        }
    }
}
