package dev.streamparrot.console;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.topics.Topic;
import jakarta.inject.Singleton;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last records of a topic, decoded through the registry, newest first. A record that does not decode
 * is shown with the reason rather than hiding the others.
 */
@Singleton
final class TopicTail {
    private static final Duration READ_LIMIT = Duration.ofSeconds(10);
    private final KafkaSettings settings;
    private final SchemaRegistryClient registry;

    TopicTail(KafkaSettings settings, SchemaRegistryClient registry) {
        this.settings = settings;
        this.registry = registry;
    }

    /** Up to {@code limit} records per partition from its end; each as its fields plus partition, offset and timestamp. */
    List<Map<String, Object>> last(Topic<?> topic, int limit) {
        @SuppressWarnings("unchecked")
        AvroSerde<SpecificRecord> serde = topic.avroSerde(registry);
        List<Map<String, Object>> out = new ArrayList<>();
        // no group: the console only reads, it never commits offsets or joins a group
        Map<String, Object> config = settings.consumer(null);
        config.remove("group.id");
        try (var consumer = new KafkaConsumer<byte[], byte[]>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            for (TopicPartition p : partitions) consumer.seek(p, Math.max(begin.get(p), end.get(p) - limit));
            long deadline = System.nanoTime() + READ_LIMIT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("partition", r.partition());
                    row.put("offset", r.offset());
                    row.put("timestamp", r.timestamp());
                    if (r.value() == null) {
                        row.put("tombstone", true);
                    } else {
                        try {
                            row.putAll(AvroJson.of((GenericRecord) serde.deserialize(r.topic(), r.value())));
                        } catch (RuntimeException e) {
                            row.put("undecodable", e.getClass().getSimpleName() + ": " + e.getMessage());
                        }
                    }
                    out.add(row);
                }
            }
        }
        out.sort(Comparator.comparingLong((Map<String, Object> r) -> (Long) r.get("timestamp")).reversed());
        return out.size() > limit ? out.subList(0, limit) : out;
    }
}
