package dev.streamparrot.packer.stream;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.packer.core.ReferencePacker;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.TokenIds;
import dev.streamparrot.schemas.TokenizedFile;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;


/** Writing releases and token-ids, the packer's input (its output is read back by {@link ChunksOfRelease}). */
final class Topics4Test {
    private Topics4Test() {}

    static void publishRelease(KafkaSettings settings, String id, int vocabSize, int eosId) throws Exception {
        TokenizerRelease release = new TokenizerRelease(id, vocabSize, eosId, "file:///nowhere/" + id + ".json", "", 0L, 0L, "", Instant.now());
        var serde = new AvroSerde<>(TokenizerRelease.class, new SchemaRegistryClient(settings.schemaRegistryUrl()));
        try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("test-release"))) {
            producer.send(new ProducerRecord<>(Topics.TOKENIZER_RELEASES.name(), id.getBytes(StandardCharsets.UTF_8),
                    serde.serialize(Topics.TOKENIZER_RELEASES.name(), release))).get();
        }
    }

    static List<ReferencePacker.Written> writeTokenIds(KafkaSettings settings, String releaseId, int vocabSize, List<ReferencePacker.File> files) throws Exception {
        var serde = new AvroSerde<>(TokenizedFile.class, new SchemaRegistryClient(settings.schemaRegistryUrl()));
        var encoding = TokenIds.encodingFor(vocabSize);
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("test-token-ids"))) {
            for (ReferencePacker.File file : files) {
                TokenizedFile value = new TokenizedFile(file.sourceKey(), file.repo(), releaseId, encoding, TokenIds.pack(file.ids(), encoding));
                sent.add(producer.send(new ProducerRecord<>(Topics.TOKEN_IDS.name(), file.sourceKey().getBytes(StandardCharsets.UTF_8),
                        serde.serialize(Topics.TOKEN_IDS.name(), value))));
            }
            List<ReferencePacker.Written> written = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) written.add(new ReferencePacker.Written(sent.get(i).get().partition(), files.get(i)));
            return written;
        }
    }
}
