package dev.streamparrot.tokenize.train;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kit.TopicSnapshot;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.topics.Topics;

import java.util.ArrayList;
import java.util.List;

/**
 * A sample of the source-files topic to train a tokenizer on: files from the beginning of every
 * partition, in turn, until the sample holds enough files or megabytes, or the topic as it was when
 * sampling began is read. No consumer group is joined, so sampling moves no one's offsets.
 */
public final class SourceSample {
    private SourceSample() {}

    /** @param maxFiles stop after this many files; @param maxBytes or after this many bytes of content */
    public static List<String> read(KafkaSettings settings, SchemaRegistryClient registry, long maxFiles, long maxBytes) {
        List<String> documents = new ArrayList<>();
        long[] bytes = {0};
        // the stream stages dead-letter poison; a sample just leaves it out, and tombstones (deleted files) too
        TopicSnapshot.read(settings, "tokenizer-sample", List.of(Topics.SOURCE_FILES.name()),
                TopicSnapshot.skippingUnreadable(new AvroSerde<>(SourceFile.class, registry)),
                (record, file) -> {
                    if (file == null) return;
                    documents.add(file.getContent());
                    bytes[0] += file.getSize();
                },
                () -> documents.size() >= maxFiles || bytes[0] >= maxBytes);
        return documents;
    }
}
