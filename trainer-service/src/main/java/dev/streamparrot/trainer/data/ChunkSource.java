package dev.streamparrot.trainer.data;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A partitioned, append-only log of chunks as the dataset sees it: Kafka's chunks-train topic in the
 * service ({@link KafkaChunkSource}), lists in memory in tests.
 */
public interface ChunkSource extends AutoCloseable {
    List<Integer> partitions();

    /** The first offset still in each partition. */
    Map<Integer, Long> beginningOffsets();

    /** The offset after the last readable record of each partition, now. */
    Map<Integer, Long> endOffsets();

    void seek(int partition, long offset);

    /**
     * The offset after the last record {@link #poll} returned for this partition, past any records it
     * skipped (undecodable ones, transaction markers). Everything below it has been handed out.
     */
    long position(int partition);

    /** Records of the wanted partitions fetched since the last call, in log order within a partition. */
    List<ChunkRecord> poll(Set<Integer> wanted, Duration timeout);

    /** Records how far training has read (the consumer group's committed offsets); progress for operators only. */
    default void commit(Map<Integer, Long> next) {}

    @Override
    void close();
}
