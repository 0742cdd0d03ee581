package dev.streamparrot.kit;

import dev.streamparrot.kafka.DeadLetteringDecoder;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.OutageGuard;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The compacted {@code checkpoint-pins} topic: each inference instance records the checkpoint it serves under its
 * own key, and the trainer's retention keeps every pinned location. A pin is replaced when its instance serves
 * another checkpoint; a tombstone ({@link #unpin}) releases it.
 */
public final class CheckpointPins {
    private CheckpointPins() {}

    /** Records that this instance serves this checkpoint; returns once the broker has it. */
    public static void pin(Producer<byte[], byte[]> producer, AvroSerde<CheckpointAnnouncement> serde, String instance,
                           CheckpointAnnouncement served) {
        Sends.acknowledged(producer, new ProducerRecord<>(Topics.CHECKPOINT_PINS.name(), instance.getBytes(StandardCharsets.UTF_8),
                serde.serialize(Topics.CHECKPOINT_PINS.name(), served)), "the pin of " + instance);
    }

    /** Releases this instance's pin. */
    public static void unpin(Producer<byte[], byte[]> producer, String instance) {
        Sends.acknowledged(producer, new ProducerRecord<>(Topics.CHECKPOINT_PINS.name(), instance.getBytes(StandardCharsets.UTF_8), null),
                "the unpin of " + instance);
    }

    /** The locations pinned now: the latest pin of every instance, read to the topic's end. */
    public static Set<String> pinnedLocations(KafkaSettings kafka, SchemaRegistryClient registry, String reader) {
        AvroSerde<CheckpointAnnouncement> serde = new AvroSerde<>(CheckpointAnnouncement.class, registry);
        Map<String, String> byInstance = new HashMap<>();
        TopicSnapshot.read(kafka, reader, List.of(Topics.CHECKPOINT_PINS.name()),
                TopicSnapshot.skippingPoison(serde, new OutageGuard(kafka.bootstrapServers()),
                        DeadLetteringDecoder.breakerName(reader, Topics.CHECKPOINT_PINS.name())),
                (record, pin) -> {
                    String instance = new String(record.key(), StandardCharsets.UTF_8);
                    if (pin == null) byInstance.remove(instance);
                    else byInstance.put(instance, pin.getLocation());
                });
        return Set.copyOf(byInstance.values());
    }
}
