package dev.streamparrot.trainer.group;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.Split;
import dev.streamparrot.schemas.TokenEncoding;
import dev.streamparrot.schemas.TokenIds;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.testkit.PythonStdlib;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.trainer.loop.TrainingArgs;
import dev.streamparrot.trainer.loop.TrainingListener;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * 1 member vs 2 members at equal total tokens on byte-level chunks of the Python standard library (cpu-tiny,
 * seq 128, vocab 257): eval loss of the global model, wall time, bytes each member exchanged per token, beside
 * what per-step all-reduce (DDP) would send (2 × parameters × 4 bytes per step per member). Members share this
 * JVM and take turns at libtorch (one GradientCollector per JVM): the wall time is not a parallel speed-up.
 * {@code mvn -B -o -pl schemas,model,trainer-service verify -Pbenchmarks -Dtest=TrainerGroupBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("benchmark")
@ExtendWith(RealCluster.class)
class TrainerGroupBenchmark {
    static final int SEQ = 128, EOS = 256, VOCAB = 257, H = 20, STEPS_ONE_MEMBER = 160;

    @Test
    void oneMemberVersusTwoAtEqualTokens(@TempDir Path dir) throws Exception {
        KafkaSettings kafka = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        List<String> lines = new ArrayList<>();
        for (int members : new int[] {1, 2}) {
            GroupTopics topics = GroupTestKit.topics(kafka, GroupTestKit.prefix("bench" + members));
            writeStdlibChunks(kafka, topics, 1600, 40); // 1280 chunks of the 1600 are trained: the group trains a stream, with no epochs
            Path json = dir.resolve("tokenizer.json");
            if (!Files.exists(json)) Files.writeString(json, "{\"model\": {\"type\": \"bytes\"}}\n");
            TokenizerRelease release = new TokenizerRelease("bytes", VOCAB, EOS, json.toUri().toString(), dev.streamparrot.artifacts.Sha256.of(json), 0L, 0L, "", Instant.now());
            TrainingArgs args = TrainingArgs.profile("cpu-tiny").with(Map.of("max_train_steps", "" + STEPS_ONE_MEMBER / members,
                    "num_warmup_steps", "10", "max_eval_steps", "5"));
            GroupSettings settings = new GroupSettings("bench-" + members + "-" + System.nanoTime(), H, 0.7, 0.9, 0.5,
                    Duration.ofSeconds(120), 1000, Duration.ofSeconds(2));
            AtomicReference<Double> evalLoss = new AtomicReference<>();
            TrainingListener global = new TrainingListener() {
                @Override
                public void scalars(long step, Map<String, Double> values) {
                    if (values.containsKey("loss/eval")) evalLoss.set(values.get("loss/eval"));
                }
            };
            List<GroupStatus> statuses = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int m = 0; m < members; m++) {
                GroupStatus status = new GroupStatus();
                statuses.add(status);
                GroupMember member = new GroupMember(kafka, settings, topics,
                        new GroupMember.Run("bench-" + members, args, null, 0, dir.resolve("ckpt-" + members)),
                        List.of(), List.of(global), status, GroupTestKit.fastSession(), id -> Optional.of(release));
                Thread t = new Thread(() -> {
                    try {
                        member.run();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) t.join(Duration.ofMinutes(20).toMillis());
            double seconds = (System.nanoTime() - t0) / 1e9;
            long tokens = (long) STEPS_ONE_MEMBER * args.trainBatchSize() * SEQ;
            long bytes = statuses.stream().mapToLong(s -> s.snapshot().bytesExchanged()).sum();
            long params = paramsOf(args, VOCAB);
            double ddpPerToken = 2.0 * params * 4 / ((double) args.trainBatchSize() * SEQ);
            // bytes each member sent (its contributions) and received (the global rounds), per token it trained
            String line = String.format("%d member(s), H=%d, %d tokens: eval loss %.3f, %.0f s, %.0f bytes/token exchanged by the members, "
                            + "DDP would send %.0f bytes/token (%d parameters)",
                    members, H, tokens, evalLoss.get(), seconds, (double) bytes / tokens, ddpPerToken, params);
            lines.add(line);
            System.out.println(line);
        }
        lines.forEach(l -> System.out.println("RESULT " + l));
    }

    static long paramsOf(TrainingArgs args, int vocab) {
        var c = dev.streamparrot.model.GptConfig.preset(args.model(), vocab);
        long e = c.nEmbd();
        return vocab * e + c.nPositions() * e + c.nLayer() * (4 * e + e * 3 * e + 3 * e + e * e + e + e * 4 * e + 4 * e + 4 * e * e + e) + 2 * e;
    }

    /** Byte-level token ids of the stdlib's top-level modules (sorted), files separated by EOS, cut into chunks. */
    static void writeStdlibChunks(KafkaSettings kafka, GroupTopics topics, int trainChunks, int validChunks) throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(PythonStdlib.path())) {
            files = s.filter(f -> f.toString().endsWith(".py")).sorted().toList();
        }
        AvroSerde<Chunk> serde = new AvroSerde<>(Chunk.class, new SchemaRegistryClient(kafka.schemaRegistryUrl()));
        int train = 0, valid = 0;
        try (var producer = new KafkaProducer<byte[], byte[]>(kafka.producer("bench-chunks"))) {
            int[] current = new int[SEQ];
            int filled = 0;
            outer:
            for (Path f : files) {
                byte[] bytes = Files.readAllBytes(f);
                for (int i = 0; i <= bytes.length; i++) {
                    current[filled++] = i < bytes.length ? bytes[i] & 0xFF : EOS;
                    if (filled < SEQ) continue;
                    boolean toValid = (train + valid) % 31 == 30 && valid < validChunks;
                    String topic = toValid ? topics.valid().name() : topics.chunks().name();
                    int partition = toValid ? 0 : train % topics.chunks().partitions();
                    Chunk c = new Chunk((long) (train + valid), partition, "bytes", toValid ? Split.VALID : Split.TRAIN, TokenEncoding.UINT16_LE,
                            TokenIds.pack(current, TokenEncoding.UINT16_LE), List.of());
                    producer.send(new ProducerRecord<>(topic, partition, null, serde.serialize(topic, c)));
                    if (toValid) valid++;
                    else train++;
                    current = new int[SEQ];
                    filled = 0;
                    if (train >= trainChunks && valid >= validChunks) break outer;
                }
            }
            producer.flush();
        }
    }
}
