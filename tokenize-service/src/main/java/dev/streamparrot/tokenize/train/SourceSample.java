package dev.streamparrot.tokenize.train;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A sample of the source-files topic to train a tokenizer on: files from the beginning of every
 * partition, in turn, until the sample holds enough files or megabytes, or the topic as it was when
 * sampling began is read. No consumer group is joined, so sampling moves no one's offsets.
 */
public final class SourceSample {
    private SourceSample() {}

    /** @param maxFiles stop after this many files; @param maxBytes or after this many bytes of content */
    public static List<String> read(KafkaSettings settings, SchemaRegistryClient registry, long maxFiles, long maxBytes) {
        AvroSerde<SourceFile> serde = new AvroSerde<>(SourceFile.class, registry);
        List<String> documents = new ArrayList<>();
        long bytes = 0;
        try (var consumer = new KafkaConsumer<byte[], byte[]>(settings.consumer("tokenizer-sample-unused"))) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.SOURCE_FILES.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (documents.size() < maxFiles && bytes < maxBytes && !reachedEnd(consumer, end)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() >= end.get(new TopicPartition(record.topic(), record.partition()))) continue;
                    SourceFile file;
                    try {
                        file = serde.deserialize(record.topic(), record.value());
                    } catch (RuntimeException poison) {
                        continue; // the stream stages dead-letter poison; a sample just leaves it out
                    }
                    if (file == null) continue; // a tombstone: the file was deleted from its repository
                    documents.add(file.getContent());
                    bytes += file.getSize();
                    if (documents.size() >= maxFiles || bytes >= maxBytes) break;
                }
            }
        }
        return documents;
    }

    private static boolean reachedEnd(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (var entry : end.entrySet()) {
            if (consumer.position(entry.getKey()) < entry.getValue()) return false;
        }
        return true;
    }
}
