package dev.streamparrot.packer.stream;

import dev.streamparrot.packer.core.Remainder;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** The remainder store's values: {@link Remainder}'s own compact bytes (ids as ints, then the source keys). */
final class RemainderSerde implements Serde<Remainder> {
    @Override
    public Serializer<Remainder> serializer() {
        return (topic, remainder) -> remainder == null ? null : remainder.toBytes();
    }

    @Override
    public Deserializer<Remainder> deserializer() {
        return (topic, bytes) -> bytes == null ? null : Remainder.fromBytes(bytes);
    }
}
