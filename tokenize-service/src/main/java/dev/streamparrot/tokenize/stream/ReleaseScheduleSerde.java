package dev.streamparrot.tokenize.stream;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.charset.StandardCharsets;

/** The schedule store's values: {@link ReleaseSchedule#encode()}'s lines in UTF-8 (what the store held as a string). */
final class ReleaseScheduleSerde implements Serde<ReleaseSchedule> {
    @Override
    public Serializer<ReleaseSchedule> serializer() {
        return (topic, schedule) -> schedule == null ? null : schedule.encode().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Deserializer<ReleaseSchedule> deserializer() {
        return (topic, bytes) -> bytes == null ? null : ReleaseSchedule.decode(new String(bytes, StandardCharsets.UTF_8));
    }
}
