package dev.streamparrot.packer.stream;

import io.micrometer.core.instrument.Timer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** A serde that adds the time it spends to a timer, so a benchmark can tell Avro's share from Kafka's. */
final class TimedSerde<T> implements Serde<T> {
    private final Serde<T> inner;
    private final Timer timer;

    TimedSerde(Serde<T> inner, Timer timer) {
        this.inner = inner;
        this.timer = timer;
    }

    @Override
    public Serializer<T> serializer() {
        Serializer<T> serializer = inner.serializer();
        return (topic, value) -> {
            long t0 = System.nanoTime();
            try {
                return serializer.serialize(topic, value);
            } finally {
                timer.record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
            }
        };
    }

    @Override
    public Deserializer<T> deserializer() {
        Deserializer<T> deserializer = inner.deserializer();
        return (topic, bytes) -> {
            long t0 = System.nanoTime();
            try {
                return deserializer.deserialize(topic, bytes);
            } finally {
                timer.record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
            }
        };
    }
}
