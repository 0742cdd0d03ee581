package dev.streamparrot.corpus;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.tokenizer.BpeTrainer;
import dev.streamparrot.tokenizer.Tokenizer;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/** Small Python-like files, tiny trained tokenizers and their releases, for the stream stages' tests. */
public final class TestCorpus {
    private TestCorpus() {}

    private static final String[] WORDS = {"def", "return", "self", "import", "numpy", "as", "np", "for", "in", "range",
            "if", "else", "print", "value", "items", "len", "class", "None", "True", "x", "y", "data", "yield"};

    /** {@code count} files of 1-12 lines each, about five per repository; the same seed gives the same files. */
    public static List<SourceFile> files(String prefix, int count, long seed) {
        Random random = new Random(seed);
        List<SourceFile> files = new ArrayList<>();
        for (int f = 0; f < count; f++) {
            StringBuilder content = new StringBuilder();
            int lines = 1 + random.nextInt(12);
            for (int l = 0; l < lines; l++) {
                content.append("    ".repeat(random.nextInt(3)));
                int words = 1 + random.nextInt(8);
                for (int w = 0; w < words; w++) content.append(WORDS[random.nextInt(WORDS.length)]).append(w + 1 < words ? " " : "");
                content.append(random.nextInt(5) == 0 ? "(" + random.nextInt(1000) + ")" : "").append('\n');
            }
            String repo = prefix + "-owner/repo" + random.nextInt(Math.max(1, count / 5));
            files.add(new SourceFile(repo, null, "pkg/file" + f + ".py", "MIT", (long) content.length(), "h" + f, content.toString(), 1));
        }
        return files;
    }

    /** The source-files key of a file (repo/path), as ingest writes it. */
    public static String key(SourceFile file) {
        return file.getRepo() + "/" + file.getPath();
    }

    public static Tokenizer train(List<SourceFile> files, int vocabSize) {
        return new BpeTrainer(BpeTrainer.Config.byteLevel(vocabSize), BpeTrainer.Progress.NONE)
                .train(files.stream().map(f -> f.getContent().toString()).iterator());
    }

    /** Saves tokenizer.json under dir and writes its release record, as the training job does. */
    public static TokenizerRelease publish(KafkaSettings settings, Tokenizer tokenizer, Path dir) throws Exception {
        Path file = dir.resolve(tokenizer.id() + ".json");
        tokenizer.save(file);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        TokenizerRelease release = new TokenizerRelease(tokenizer.id(), tokenizer.vocabSize(), tokenizer.eosId(),
                file.toUri().toString(), sha, 0L, 0L, "test release", Instant.now());
        AvroSerde<TokenizerRelease> serde = new AvroSerde<>(TokenizerRelease.class, new SchemaRegistryClient(settings.schemaRegistryUrl()));
        try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("test-release"))) {
            producer.send(new ProducerRecord<>(Topics.TOKENIZER_RELEASES.name(), release.getId().getBytes(StandardCharsets.UTF_8),
                    serde.serialize(Topics.TOKENIZER_RELEASES.name(), release))).get();
        }
        return release;
    }

    /** Writes the files to source-files, keyed as ingest keys them. */
    public static void produce(KafkaSettings settings, List<SourceFile> files) {
        AvroSerde<SourceFile> serde = new AvroSerde<>(SourceFile.class, new SchemaRegistryClient(settings.schemaRegistryUrl()));
        try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("test-ingest"))) {
            for (SourceFile file : files) {
                producer.send(new ProducerRecord<>(Topics.SOURCE_FILES.name(), key(file).getBytes(StandardCharsets.UTF_8),
                        serde.serialize(Topics.SOURCE_FILES.name(), file)));
            }
        }
    }

    /**
     * Reads a topic from the start (committed records only) until at least {@code atLeast} arrived, then 2 s
     * more to see duplicates that would come after; throws {@link AssertionError} if fewer arrive in 120 s.
     */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(KafkaSettings settings, String topic, int atLeast) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(settings.consumer("test-reader-" + System.nanoTime()))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (records.size() < atLeast && System.nanoTime() < deadline) consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            long settle = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < settle) consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        if (records.size() < atLeast) throw new AssertionError("expected " + atLeast + " records on " + topic + ", got " + records.size());
        return records;
    }
}
