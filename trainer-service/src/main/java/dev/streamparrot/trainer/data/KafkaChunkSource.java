package dev.streamparrot.trainer.data;

import dev.streamparrot.kafka.DeadLetteringDecoder;
import dev.streamparrot.kafka.SchemaOutageException;
import dev.streamparrot.schemas.Chunk;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A chunk topic read by one consumer of the trainer's consumer group. All partitions are assigned to it
 * (not subscribed): the dataset decides the order in which partitions are merged, and a rebalance must not
 * take a partition away mid-epoch. The group's committed offsets show how far training has read.
 * Undecodable records go to the dead-letter topic here and never reach the dataset; once each, although
 * every epoch reads them again. An outage (the registry unreachable, or one that lost its data) dead-letters
 * nothing: the partition stays at the failing record, retried with backoff, so training waits.
 */
public final class KafkaChunkSource implements ChunkSource {
    private final String topic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final DeadLetteringDecoder<Chunk> decoder;
    private final Map<Integer, TopicPartition> partitions = new TreeMap<>();
    private final Map<Integer, Long> decodedUpTo = new TreeMap<>(); // per partition: records below were seen before

    public KafkaChunkSource(String topic, Map<String, Object> consumerConfig, DeadLetteringDecoder<Chunk> decoder) {
        this.topic = topic;
        this.consumer = new KafkaConsumer<>(consumerConfig);
        this.decoder = decoder;
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            consumer.close();
            throw new IllegalStateException("topic " + topic + " does not exist");
        }
        infos.stream().sorted(Comparator.comparingInt(PartitionInfo::partition))
                .forEach(i -> partitions.put(i.partition(), new TopicPartition(topic, i.partition())));
        consumer.assign(partitions.values());
    }

    @Override
    public List<Integer> partitions() {
        return List.copyOf(partitions.keySet());
    }

    @Override
    public Map<Integer, Long> beginningOffsets() {
        return byPartition(consumer.beginningOffsets(partitions.values()));
    }

    @Override
    public Map<Integer, Long> endOffsets() {
        return byPartition(consumer.endOffsets(partitions.values())); // read_committed: the last stable offsets
    }

    @Override
    public void seek(int partition, long offset) {
        consumer.seek(partitions.get(partition), offset);
    }

    @Override
    public long position(int partition) {
        return consumer.position(partitions.get(partition));
    }

    @Override
    public List<ChunkRecord> poll(Set<Integer> wanted, Duration timeout) {
        List<TopicPartition> pause = new ArrayList<>(), resume = new ArrayList<>();
        partitions.forEach((p, tp) -> (wanted.contains(p) ? resume : pause).add(tp));
        consumer.pause(pause);
        consumer.resume(resume);
        List<ChunkRecord> out = new ArrayList<>();
        ConsumerRecords<byte[], byte[]> records = consumer.poll(timeout);
        SchemaOutageException outage = null;
        for (TopicPartition tp : records.partitions()) {
            for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                try {
                    decode(r).ifPresent(chunk -> out.add(new ChunkRecord(r.partition(), r.offset(), chunk)));
                } catch (SchemaOutageException e) {
                    consumer.seek(tp, r.offset()); // paused here: the dataset waits for this partition's next record
                    outage = e;
                    break;
                }
            }
        }
        if (outage != null) outage.awaitRetry();
        return out;
    }

    private Optional<Chunk> decode(ConsumerRecord<byte[], byte[]> r) {
        if (r.offset() < decodedUpTo.getOrDefault(r.partition(), 0L)) return decoder.decodeAgain(r);
        Optional<Chunk> chunk = decoder.decode(r);
        decodedUpTo.put(r.partition(), r.offset() + 1);
        return chunk;
    }

    @Override
    public void commit(Map<Integer, Long> next) {
        consumer.commitSync(next.entrySet().stream().collect(Collectors.toMap(
                e -> partitions.get(e.getKey()), e -> new OffsetAndMetadata(e.getValue()))));
    }

    @Override
    public void close() {
        consumer.close();
    }

    public String topic() {
        return topic;
    }

    private static Map<Integer, Long> byPartition(Map<TopicPartition, Long> offsets) {
        Map<Integer, Long> m = new TreeMap<>();
        offsets.forEach((tp, o) -> m.put(tp.partition(), o));
        return m;
    }
}
