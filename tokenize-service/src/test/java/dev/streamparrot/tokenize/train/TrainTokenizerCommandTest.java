package dev.streamparrot.tokenize.train;

import dev.streamparrot.artifacts.Sha256;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.tokenizer.Tokenizer;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train-tokenizer against the real broker: sample source-files, train, store under the content hash, publish the release. */
@ExtendWith(RealCluster.class)
class TrainTokenizerCommandTest {
    @Test
    void trainsOnASampleOfTheTopicStoresAndPublishesTheRelease(@TempDir Path store) throws Exception {
        KafkaSettings settings = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        SchemaRegistryClient registry = new SchemaRegistryClient(settings.schemaRegistryUrl());
        TopicAdmin.ensure(settings.bootstrapServers(), Topics.ALL, (short) 1);
        List<String> documents = stdlibSample(60);
        assertEquals(60, documents.size());
        AvroSerde<SourceFile> files = new AvroSerde<>(SourceFile.class, registry);
        try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("test"))) {
            for (int i = 0; i < documents.size(); i++) {
                SourceFile file = new SourceFile("stdlib", null, "f" + i + ".py", "PSF-2.0", (long) documents.get(i).length(),
                        "h" + i, documents.get(i), 1);
                producer.send(new ProducerRecord<>(Topics.SOURCE_FILES.name(), ("stdlib/f" + i).getBytes(StandardCharsets.UTF_8),
                        files.serialize(Topics.SOURCE_FILES.name(), file)));
            }
        }

        int code = new CommandLine(new TrainTokenizerCommand()).execute("--bootstrap-servers", settings.bootstrapServers(),
                "--schema-registry", settings.schemaRegistryUrl(), "--files", "40", "--vocab-size", "600",
                "--store", store.toString(), "--no-progress");
        assertEquals(0, code);

        TokenizerRelease release = lastRelease(settings, registry);
        assertEquals(40, release.getTrainedOnFiles(), "the sample stopped at --files");
        Path file = Path.of(java.net.URI.create(release.getLocation())).resolve("tokenizer.json");
        Tokenizer tokenizer = Tokenizer.fromFile(file);
        assertEquals(release.getId(), tokenizer.id(), "the id is the content hash");
        assertEquals(file.getParent().getFileName().toString(), release.getId());
        assertEquals(Sha256.of(file), release.getSha256());
        assertEquals(600, tokenizer.vocabSize());
        assertEquals(600, release.getVocabSize());
        assertEquals(tokenizer.eosId(), release.getEosId());
        assertTrue(release.getReport().contains("chars per token:") && release.getReport().contains("keywords not one token:"),
                release.getReport());
        String sample = documents.get(50);
        assertEquals(sample, tokenizer.decode(tokenizer.encode(sample)));
    }

    private static TokenizerRelease lastRelease(KafkaSettings settings, SchemaRegistryClient registry) {
        AvroSerde<TokenizerRelease> serde = new AvroSerde<>(TokenizerRelease.class, registry);
        List<TokenizerRelease> releases = new ArrayList<>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(settings.consumer("releases-" + System.nanoTime()))) {
            consumer.subscribe(List.of(Topics.TOKENIZER_RELEASES.name()));
            long deadline = System.currentTimeMillis() + 30_000;
            while (releases.isEmpty() && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(300)).forEach(r -> releases.add(serde.deserialize(r.topic(), r.value())));
            }
        }
        assertTrue(!releases.isEmpty(), "a release was published");
        return releases.get(releases.size() - 1);
    }

    static List<String> stdlibSample(int count) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("python3", "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])").start();
        Path stdlib = Path.of(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
        p.waitFor();
        try (Stream<Path> walk = Files.walk(stdlib.resolve("email")); Stream<Path> more = Files.walk(stdlib.resolve("asyncio"))) {
            return Stream.concat(walk, more).filter(f -> f.toString().endsWith(".py")).sorted().limit(count)
                    .map(f -> {
                        try {
                            return Files.readString(f);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }).toList();
        }
    }
}
