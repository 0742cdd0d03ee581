package dev.streamparrot.deploy;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.topics.Topic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the committed records of topics by reading them. End offsets would overcount: transactional
 * writers (the exactly-once stream stages) leave commit markers that take offsets too.
 */
final class TopicCounts {
    private TopicCounts() {}

    static Map<String, Long> count(KafkaSettings settings, List<Topic> topics) {
        Map<String, Long> counts = new LinkedHashMap<>();
        Map<String, Object> config = settings.consumer("topic-counts-unused");
        config.put("max.partition.fetch.bytes", 8 * 1024 * 1024);
        try (var consumer = new KafkaConsumer<byte[], byte[]>(config)) {
            for (Topic topic : topics) {
                List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                long records = 0;
                while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                    records += consumer.poll(Duration.ofMillis(200)).count();
                }
                counts.put(topic.name(), records);
            }
        }
        return counts;
    }
}
