package dev.streamparrot.trainer.data;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.TokenIds;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The packer's chunk length against the trainer's seq_length. They are two services' settings
 * ({@code streamparrot.packer.seq-length}, {@code streamparrot.trainer.seq-length} or its profile's) that must
 * agree; when they do not, every chunk is unusable, which is a deployment to fix, not poison to dead-letter.
 * The trainer checks the newest chunks of each partition before it starts, and its dataset stops with
 * {@link Mismatch} when the first chunks it reads have another length; a single odd chunk among usable ones
 * stays poison and is dead-lettered.
 */
public final class ChunkLength {
    private ChunkLength() {}

    /** The trainer cannot train on these chunks; the message names both settings. */
    public static final class Mismatch extends IllegalStateException {
        public Mismatch(int chunkLength, int seqLength) {
            super(Topics.CHUNKS_TRAIN.name() + " holds chunks of " + chunkLength + " token ids (the packer's streamparrot.packer.seq-length)"
                    + " but the trainer trains on sequences of " + seqLength + " (streamparrot.trainer.seq-length, or its profile's seq_length):"
                    + " set both to the same value");
        }
    }

    /** The ids a chunk holds, or empty where they do not unpack (that is the chunk's own fault). */
    static OptionalInt of(Chunk chunk) {
        try {
            return OptionalInt.of(TokenIds.unpack(chunk.getIds().duplicate(), chunk.getEncoding()).length);
        } catch (IllegalArgumentException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * Reads the last few records of each partition of a chunk topic and throws {@link Mismatch} when chunks are
     * there and none of them is {@code seqLength} long. An empty topic, records that do not decode, and odd
     * chunks beside ones of the right length pass: those are single poison records, the dataset dead-letters them.
     */
    public static void checkNewest(KafkaSettings kafka, String topic, int seqLength) {
        AvroSerde<Chunk> serde = new AvroSerde<>(Chunk.class, new SchemaRegistryClient(kafka.schemaRegistryUrl()));
        Map<String, Object> config = kafka.consumer("trainer-chunk-length-check");
        config.put("enable.auto.commit", false);
        List<Integer> lengths = new ArrayList<>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(config)) {
            var infos = consumer.partitionsFor(topic);
            if (infos == null) return; // no topic yet: no chunks to judge
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            for (TopicPartition p : partitions) {
                // a few back: the last offsets of a transactional topic are commit markers, not records
                consumer.seek(p, Math.max(begin.get(p), end.get(p) - NEWEST));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        of(serde.deserialize(r.topic(), r.value())).ifPresent(lengths::add);
                    } catch (RuntimeException undecodable) {
                        // the dataset's decoder judges it
                    }
                }
            }
        }
        if (!lengths.isEmpty() && !lengths.contains(seqLength)) throw new Mismatch(lengths.get(lengths.size() - 1), seqLength);
    }

    /** Records read back from the end of each partition. */
    private static final int NEWEST = 8;
}
