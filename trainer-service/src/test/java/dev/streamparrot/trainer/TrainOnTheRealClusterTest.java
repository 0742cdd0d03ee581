package dev.streamparrot.trainer;

import dev.streamparrot.artifacts.Sha256;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.model.generate.CheckpointSample;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.DeadLetter;
import dev.streamparrot.schemas.Split;
import dev.streamparrot.schemas.TokenEncoding;
import dev.streamparrot.schemas.TokenIds;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.testkit.PythonStdlib;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.tokenizer.BpeTrainer;
import dev.streamparrot.topics.Topics;
import dev.streamparrot.trainer.logging.TfEventsReader;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service on the real broker and registry: chunks made from the machine's Python standard library
 * (byte-level tokens, the simplest deterministic tokenizer), a cpu-tiny model trained until its eval loss
 * is clearly below the unigram entropy of the data, checkpoints announced, unusable chunks dead-lettered.
 */
@ExtendWith(RealCluster.class)
class TrainOnTheRealClusterTest {
    static final int SEQ = 128, EOS = 256, VOCAB = 257;
    static final String TOKENIZER = "bytes-" + System.nanoTime();

    @Test
    void trainsOnStdlibChunksBelowTheUnigramEntropyAndAnnouncesCheckpoints(@TempDir Path dir) throws Exception {
        KafkaSettings kafka = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        SchemaRegistryClient registry = new SchemaRegistryClient(kafka.schemaRegistryUrl());
        TopicAdmin.ensure(kafka.bootstrapServers(), Topics.ALL, (short) 1);

        List<int[]> train = new ArrayList<>(), valid = new ArrayList<>();
        stdlibChunks(1200, 40, train, valid);
        double unigramEntropy = unigramEntropy(train);

        Path tokenizerJson = dir.resolve("tokenizer.json");
        // a real byte-level BPE of the model's vocabulary size (no merges), so the checkpoint sample can decode
        new BpeTrainer(BpeTrainer.Config.byteLevel(VOCAB), BpeTrainer.Progress.NONE).train(List.of("def f(x):\n    return x\n").iterator())
                .save(tokenizerJson);
        AvroSerde<Chunk> chunks = new AvroSerde<>(Chunk.class, registry);
        try (var producer = new KafkaProducer<byte[], byte[]>(kafka.producer("stdlib-chunks"))) {
            AvroSerde<TokenizerRelease> releases = new AvroSerde<>(TokenizerRelease.class, registry);
            producer.send(new ProducerRecord<>(Topics.TOKENIZER_RELEASES.name(), TOKENIZER.getBytes(StandardCharsets.UTF_8),
                    releases.serialize(Topics.TOKENIZER_RELEASES.name(), new TokenizerRelease(TOKENIZER, VOCAB, EOS,
                            tokenizerJson.toUri().toString(), dev.streamparrot.artifacts.Sha256.of(tokenizerJson), 171L, 0L, "byte-level", Instant.now())))).get();
            for (int i = 0; i < train.size(); i++) {
                int p = i % Topics.CHUNKS_TRAIN.partitions();
                send(producer, chunks, Topics.CHUNKS_TRAIN.name(), p, chunk(i / 4, p, TOKENIZER, Split.TRAIN, train.get(i)));
            }
            for (int i = 0; i < valid.size(); i++) {
                send(producer, chunks, Topics.CHUNKS_VALID.name(), 0, chunk(i, 0, TOKENIZER, Split.VALID, valid.get(i)));
            }
            // three chunks the trainer cannot use, each must become a dead letter
            send(producer, chunks, Topics.CHUNKS_TRAIN.name(), 1, chunk(9000, 1, "another-tokenizer", Split.TRAIN, train.get(0)));
            send(producer, chunks, Topics.CHUNKS_TRAIN.name(), 2, chunk(9001, 2, TOKENIZER, Split.TRAIN, new int[] {1, 2, 3}));
            producer.send(new ProducerRecord<>(Topics.CHUNKS_TRAIN.name(), 3, null, "not avro".getBytes(StandardCharsets.UTF_8))).get();
        }

        String runId = "stdlib-" + System.nanoTime();
        Map<String, Object> config = new HashMap<>();
        config.put("micronaut.server.port", -1);
        config.put("streamparrot.kafka.bootstrap-servers", kafka.bootstrapServers());
        config.put("streamparrot.schema-registry.url", kafka.schemaRegistryUrl());
        config.put("streamparrot.trainer.enabled", true);
        config.put("streamparrot.trainer.profile", "cpu-tiny");
        config.put("streamparrot.trainer.run-id", runId);
        config.put("streamparrot.trainer.checkpoint-dir", dir.resolve("checkpoints").toString());
        config.put("streamparrot.trainer.log-dir", dir.resolve("runs").toString());
        config.put("streamparrot.trainer.max-train-steps", 160);
        config.put("streamparrot.trainer.save-checkpoint-steps", 80);
        config.put("streamparrot.trainer.eval-interval", 40);
        config.put("streamparrot.trainer.max-eval-steps", 5);
        config.put("streamparrot.trainer.shuffle-buffer", 300);
        Map<String, Object> finalStatus;
        long t0 = System.nanoTime();
        try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, config)) {
            HttpClient http = HttpClient.newHttpClient();
            finalStatus = Map.of();
            long deadline = System.currentTimeMillis() + 240_000;
            while (System.currentTimeMillis() < deadline) {
                String body = get(http, server.getURL() + "/trainer/status");
                finalStatus = new com.fasterxml.jackson.databind.ObjectMapper().readValue(body, Map.class);
                if ("finished".equals(finalStatus.get("state")) || String.valueOf(finalStatus.get("state")).startsWith("failed")) break;
                Thread.sleep(500);
            }
            assertEquals("finished", finalStatus.get("state"), finalStatus.toString());
            String metrics = get(http, server.getURL() + "/prometheus");
            assertTrue(metrics.contains("streamparrot_trainer_loss_eval{run=\"" + runId + "\"}"), metrics);
            assertTrue(metrics.contains("streamparrot_trainer_tokens_per_second"), metrics);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double evalLoss = ((Number) finalStatus.get("evalLoss")).doubleValue();
        System.out.printf("stdlib bytes: unigram entropy %.3f nats, eval loss after 160 updates %.3f, %.0f tokens/s (%.0f s in all)%n",
                unigramEntropy, evalLoss, ((Number) finalStatus.get("tokensPerSecond")).doubleValue(), seconds);
        assertEquals(160, ((Number) finalStatus.get("step")).intValue());
        assertTrue(evalLoss < unigramEntropy - 0.5, "eval loss " + evalLoss + " vs unigram entropy " + unigramEntropy);

        List<CheckpointAnnouncement> announced = read(kafka, Topics.CHECKPOINTS.name(), CheckpointAnnouncement.class, registry).stream()
                .filter(a -> a.getRunId().equals(runId)).toList();
        assertEquals(List.of(80L, 160L), announced.stream().map(CheckpointAnnouncement::getStep).toList());
        CheckpointAnnouncement last = announced.get(1);
        assertEquals(evalLoss, last.getEvalLoss(), 1e-12);
        assertEquals(Math.exp(last.getEvalLoss()), last.getPerplexity(), 1e-9);
        assertEquals(TOKENIZER, last.getTokenizerId());
        Path ckpt = Path.of(URI.create(last.getLocation()));
        assertEquals(Sha256.of(ckpt.resolve("model.safetensors")), last.getSha256());
        assertArrayEquals(Files.readAllBytes(tokenizerJson), Files.readAllBytes(ckpt.resolve("tokenizer.json")));
        assertTrue(Files.readString(ckpt.resolve("config.json")).contains("\"vocab_size\": 257"));

        List<DeadLetter> letters = read(kafka, Topics.DEAD_LETTERS.name(), DeadLetter.class, registry).stream()
                .filter(l -> l.getTopic().equals(Topics.CHUNKS_TRAIN.name()) && l.getService().equals("trainer-service")).toList();
        assertEquals(3, letters.size(), letters.toString());
        assertTrue(letters.stream().anyMatch(l -> l.getReason().contains("chunk of tokenizer another-tokenizer")), letters.toString());
        assertTrue(letters.stream().anyMatch(l -> l.getReason().contains("chunk of 3 ids, seq_length is 128")), letters.toString());
        assertTrue(letters.stream().anyMatch(l -> l.getReason().contains("not in the Confluent wire format")), letters.toString());

        Path eventFile;
        try (Stream<Path> files = Files.list(dir.resolve("runs").resolve(runId))) {
            eventFile = files.filter(f -> f.getFileName().toString().startsWith("events.out.tfevents.")).findFirst().orElseThrow();
        }
        List<TfEventsReader.Event> events = TfEventsReader.read(eventFile);
        assertTrue(events.stream().anyMatch(e -> e.step() == 160 && e.scalars().containsKey("loss/eval")));
        assertTrue(events.stream().filter(e -> e.scalars().containsKey("loss/train")).count() >= 16);
        assertTrue(events.stream().anyMatch(e -> e.scalars().keySet().containsAll(List.of("lr", "samples", "tokens/s"))));
        // each checkpoint's greedy sample of the fixed prompt, as TensorBoard text
        List<String> samples = events.stream().map(e -> e.texts().get("sample")).filter(java.util.Objects::nonNull).toList();
        assertFalse(samples.isEmpty(), "no checkpoint sample in TensorBoard");
        // the text is markdown (a code block) holding the prompt and the model's continuation of it
        assertTrue(samples.stream().allMatch(t -> t.contains(CheckpointSample.PROMPT)
                && !t.substring(t.indexOf(CheckpointSample.PROMPT) + CheckpointSample.PROMPT.length()).replace("```", "").isBlank()),
                samples.toString());
    }

    /** Byte-level token ids of the stdlib's top-level modules (sorted), files separated by EOS, cut into chunks. */
    static void stdlibChunks(int trainChunks, int validChunks, List<int[]> train, List<int[]> valid) throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(PythonStdlib.path())) {
            files = s.filter(f -> f.toString().endsWith(".py")).sorted().toList();
        }
        int[] current = new int[SEQ];
        int filled = 0;
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            for (int i = 0; i <= bytes.length; i++) {
                current[filled++] = i < bytes.length ? bytes[i] & 0xFF : EOS;
                if (filled == SEQ) {
                    // every 31st chunk goes to validation, as a packer's split would put whole files aside
                    ((train.size() + valid.size()) % 31 == 30 && valid.size() < validChunks ? valid : train).add(current);
                    current = new int[SEQ];
                    filled = 0;
                    if (train.size() >= trainChunks && valid.size() >= validChunks) return;
                }
            }
        }
        throw new IllegalStateException("the stdlib is smaller than expected");
    }

    /** H = -Σ p(t) ln p(t) over the token frequencies of the training chunks, in nats like the loss. */
    static double unigramEntropy(List<int[]> chunks) {
        long[] counts = new long[VOCAB];
        long total = 0;
        for (int[] c : chunks) for (int id : c) { counts[id]++; total++; }
        double h = 0;
        for (long n : counts) if (n > 0) h -= (double) n / total * Math.log((double) n / total);
        return h;
    }

    static Chunk chunk(long sequence, int partition, String tokenizer, Split split, int[] ids) {
        return new Chunk(sequence, partition, tokenizer, split, TokenEncoding.UINT16_LE, TokenIds.pack(ids, TokenEncoding.UINT16_LE), List.of());
    }

    static void send(KafkaProducer<byte[], byte[]> producer, AvroSerde<Chunk> serde, String topic, int partition, Chunk c) throws Exception {
        producer.send(new ProducerRecord<>(topic, partition, Integer.toString(c.getInputPartition()).getBytes(StandardCharsets.UTF_8),
                serde.serialize(topic, c))).get();
    }

    static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    static <T extends org.apache.avro.specific.SpecificRecord> List<T> read(KafkaSettings kafka, String topic, Class<T> type,
                                                                            SchemaRegistryClient registry) {
        AvroSerde<T> serde = new AvroSerde<>(type, registry);
        List<T> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(kafka.consumer("reader-" + System.nanoTime()))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 5000;
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) out.add(serde.deserialize(topic, r.value()));
            }
        }
        return out;
    }
}
