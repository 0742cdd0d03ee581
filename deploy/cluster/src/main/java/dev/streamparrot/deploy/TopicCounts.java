package dev.streamparrot.deploy;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kit.TopicSnapshot;
import dev.streamparrot.topics.Topic;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the committed records of topics by reading them. End offsets would overcount: transactional
 * writers (the exactly-once stream stages) leave commit markers that take offsets too.
 */
final class TopicCounts {
    private TopicCounts() {}

    static Map<String, Long> count(KafkaSettings settings, List<Topic<?>> topics) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Topic<?> topic : topics) {
            long[] records = {0};
            TopicSnapshot.read(settings, "topic-counts", List.of(topic.name()), TopicSnapshot.raw(), (record, value) -> records[0]++);
            counts.put(topic.name(), records[0]);
        }
        return counts;
    }
}
