package dev.streamparrot.packer.stream;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.packer.core.PackedChunk;
import dev.streamparrot.packer.core.ReferencePacker.ChunkStream;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.TokenIds;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the packer's output back: the chunks of one release from both chunk topics, per stream in sequence
 * order. In main code because two modules check the packer's output with it (packer-service's tests and
 * the system tests); compare the result with {@link dev.streamparrot.packer.core.ReferencePacker#packPerPartition}.
 */
public final class ChunksOfRelease {
    private ChunksOfRelease() {}

    /**
     * Reads (committed records only) until at least {@code expected} chunks arrived, and 2 s more to catch
     * duplicates. Throws if a stream's sequence numbers have a gap or a repeat.
     */
    public static Map<ChunkStream, List<PackedChunk>> read(KafkaSettings settings, String releaseId, int expected, Duration timeout) {
        var serde = new AvroSerde<>(Chunk.class, new SchemaRegistryClient(settings.schemaRegistryUrl()));
        Map<ChunkStream, List<Chunk>> byStream = new TreeMap<>();
        int seen = 0;
        try (var consumer = new KafkaConsumer<byte[], byte[]>(settings.consumer("chunks-read-back-" + System.nanoTime()))) {
            consumer.subscribe(List.of(Topics.CHUNKS_TRAIN.name(), Topics.CHUNKS_VALID.name()));
            long deadline = System.nanoTime() + timeout.toNanos();
            long settle = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settle)) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    Chunk chunk = serde.deserialize(record.topic(), record.value());
                    if (!chunk.getTokenizerId().toString().equals(releaseId)) continue;
                    byStream.computeIfAbsent(new ChunkStream(chunk.getInputPartition(), chunk.getSplit()), k -> new ArrayList<>()).add(chunk);
                    seen++;
                }
                if (seen >= expected && settle == Long.MAX_VALUE) settle = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            }
        }
        Map<ChunkStream, List<PackedChunk>> result = new TreeMap<>();
        byStream.forEach((stream, chunks) -> {
            chunks.sort((a, b) -> Long.compare(a.getSequence(), b.getSequence()));
            List<PackedChunk> packed = new ArrayList<>();
            long first = chunks.get(0).getSequence();
            for (int i = 0; i < chunks.size(); i++) {
                Chunk c = chunks.get(i);
                if (c.getSequence() != first + i) {
                    throw new IllegalStateException("sequence numbers of " + stream + " (gap or duplicate): expected "
                            + (first + i) + ", got " + c.getSequence());
                }
                packed.add(new PackedChunk(TokenIds.unpack(c.getIds(), c.getEncoding()),
                        c.getSourceKeys().stream().map(CharSequence::toString).toList()));
            }
            result.put(stream, packed);
        });
        return result;
    }
}
