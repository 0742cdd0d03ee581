package dev.streamparrot.packer.stream;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.packer.core.PackedChunk;
import dev.streamparrot.packer.core.ReferencePacker;
import dev.streamparrot.packer.core.RepoSplit;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.Split;
import dev.streamparrot.schemas.TokenIds;
import dev.streamparrot.schemas.TokenizedFile;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Writing releases and token-ids, reading chunks back, and the reference they must equal. */
final class Topics4Test {
    private Topics4Test() {}

    /** A file as written to token-ids, with the partition it landed in. */
    record Written(int partition, ReferencePacker.File file) {}

    /** One stream of chunks: an input partition and split. */
    record Stream(int partition, Split split) implements Comparable<Stream> {
        @Override
        public int compareTo(Stream o) {
            return partition != o.partition ? Integer.compare(partition, o.partition) : split.compareTo(o.split);
        }
    }

    static void publishRelease(KafkaSettings settings, String id, int vocabSize, int eosId) throws Exception {
        TokenizerRelease release = new TokenizerRelease(id, vocabSize, eosId, "file:///nowhere/" + id + ".json", "", 0L, 0L, "", Instant.now());
        var serde = new AvroSerde<>(TokenizerRelease.class, new SchemaRegistryClient(settings.schemaRegistryUrl()));
        try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("test-release"))) {
            producer.send(new ProducerRecord<>(Topics.TOKENIZER_RELEASES.name(), id.getBytes(StandardCharsets.UTF_8),
                    serde.serialize(Topics.TOKENIZER_RELEASES.name(), release))).get();
        }
    }

    static List<Written> writeTokenIds(KafkaSettings settings, String releaseId, int vocabSize, List<ReferencePacker.File> files) throws Exception {
        var serde = new AvroSerde<>(TokenizedFile.class, new SchemaRegistryClient(settings.schemaRegistryUrl()));
        var encoding = TokenIds.encodingFor(vocabSize);
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("test-token-ids"))) {
            for (ReferencePacker.File file : files) {
                TokenizedFile value = new TokenizedFile(file.sourceKey(), file.repo(), releaseId, encoding, TokenIds.pack(file.ids(), encoding));
                sent.add(producer.send(new ProducerRecord<>(Topics.TOKEN_IDS.name(), file.sourceKey().getBytes(StandardCharsets.UTF_8),
                        serde.serialize(Topics.TOKEN_IDS.name(), value))));
            }
            List<Written> written = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) written.add(new Written(sent.get(i).get().partition(), files.get(i)));
            return written;
        }
    }

    /** The reference chunks of each (input partition, split), packing each partition's files in order. */
    static Map<Stream, List<PackedChunk>> reference(List<Written> written, int seqLength, int eosId, RepoSplit split) {
        Map<Integer, List<ReferencePacker.File>> byPartition = new TreeMap<>();
        for (Written w : written) byPartition.computeIfAbsent(w.partition(), k -> new ArrayList<>()).add(w.file());
        Map<Stream, List<PackedChunk>> reference = new TreeMap<>();
        byPartition.forEach((partition, files) -> ReferencePacker.pack(files, seqLength, eosId, split)
                .forEach((s, chunks) -> { if (!chunks.isEmpty()) reference.put(new Stream(partition, s), chunks); }));
        return reference;
    }

    static int count(Map<Stream, List<PackedChunk>> chunks) {
        return chunks.values().stream().mapToInt(List::size).sum();
    }

    /**
     * The chunks of one release from both chunk topics, per stream in sequence order, once at least
     * {@code expected} arrived (and 2 s more, to catch duplicates). Checks that each stream's sequence
     * numbers run without a gap or a repeat.
     */
    static Map<Stream, List<PackedChunk>> readChunks(KafkaSettings settings, String releaseId, int expected, Duration timeout) {
        var serde = new AvroSerde<>(Chunk.class, new SchemaRegistryClient(settings.schemaRegistryUrl()));
        Map<Stream, List<Chunk>> byStream = new TreeMap<>();
        int seen = 0;
        try (var consumer = new KafkaConsumer<byte[], byte[]>(settings.consumer("test-chunks-" + System.nanoTime()))) {
            consumer.subscribe(List.of(Topics.CHUNKS_TRAIN.name(), Topics.CHUNKS_VALID.name()));
            long deadline = System.nanoTime() + timeout.toNanos();
            long settle = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settle)) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    Chunk chunk = serde.deserialize(record.topic(), record.value());
                    if (!chunk.getTokenizerId().toString().equals(releaseId)) continue;
                    byStream.computeIfAbsent(new Stream(chunk.getInputPartition(), chunk.getSplit()), k -> new ArrayList<>()).add(chunk);
                    seen++;
                }
                if (seen >= expected && settle == Long.MAX_VALUE) settle = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            }
        }
        Map<Stream, List<PackedChunk>> result = new TreeMap<>();
        byStream.forEach((stream, chunks) -> {
            chunks.sort((a, b) -> Long.compare(a.getSequence(), b.getSequence()));
            List<PackedChunk> packed = new ArrayList<>();
            long first = chunks.get(0).getSequence();
            for (int i = 0; i < chunks.size(); i++) {
                Chunk c = chunks.get(i);
                assertEquals(first + i, c.getSequence(), "sequence numbers of " + stream + " (gap or duplicate)");
                packed.add(new PackedChunk(TokenIds.unpack(c.getIds(), c.getEncoding()),
                        c.getSourceKeys().stream().map(CharSequence::toString).toList()));
            }
            result.put(stream, packed);
        });
        return result;
    }
}
