package dev.streamparrot.inference.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamparrot.inference.humaneval.HumanEvalProblem;
import dev.streamparrot.inference.testing.TinyCheckpoint;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.kit.TopicSnapshot;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.schemas.CheckpointEvaluation;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.tokenizer.Tokenizer;
import dev.streamparrot.topics.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quality over time on the real broker and registry: every announced checkpoint gets an evaluation record
 * on checkpoint-evaluations (eval loss from the trainer, HumanEval pass@1 on a fixed subset, the problems that
 * do not fit counted apart), a restarted evaluator goes on after the last one it published, and a service
 * told to serve only checkpoints that are not worse keeps its model when a worse one is announced.
 */
@ExtendWith(RealCluster.class)
class QualityOverTimeTest {
    /** HumanEval's first three problems: enough to score, fast on a tiny model. */
    private static final int SUBSET = 3;

    @Test
    void everyAnnouncedCheckpointIsEvaluatedOnceAndPublished(@TempDir Path tmp) throws Exception {
        KafkaSettings settings = cluster();
        SchemaRegistryClient registry = new SchemaRegistryClient(settings.schemaRegistryUrl());
        String run = "evaluation-test-" + System.nanoTime();
        Path a = TinyCheckpoint.write(tmp.resolve("a"), TinyCheckpoint.tinyConfig(512), 1);
        Path b = TinyCheckpoint.write(tmp.resolve("b"), TinyCheckpoint.tinyConfig(512), 2);
        Tokenizer tokenizer = TinyCheckpoint.gpt2Tokenizer();
        long fit = HumanEvalProblem.bundled().subList(0, SUBSET).stream()
                .filter(p -> tokenizer.encode(p.prompt().strip()).length + CheckpointEvaluator.SETTINGS.maxTokens() <= 512).count();

        List<CheckpointEvaluation> published = Collections.synchronizedList(new ArrayList<>());
        Path runs = tmp.resolve("runs");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("evaluation-test"));
             DecodeLoop loop = new DecodeLoop(new InferenceMetrics(new SimpleMeterRegistry()));
             EvaluationLog tensorBoard = new EvaluationLog(runs)) {
            Consumer<CheckpointEvaluation> onPublished = published::add;
            onPublished = onPublished.andThen(e -> {
                if (e.getRunId().equals(run)) tensorBoard.accept(e);
            });
            announce(producer, registry, run, 10, a, 2.5);
            try (CheckpointEvaluator evaluator = new CheckpointEvaluator(settings, registry, new CheckpointLoader(), loop, SUBSET,
                    onPublished).start()) {
                await(() -> published.stream().anyMatch(e -> e.getRunId().equals(run)), "step 10 is evaluated");
            }
            // a restarted evaluator evaluates what came since, not step 10 again
            announce(producer, registry, run, 20, b, 2.25);
            try (CheckpointEvaluator evaluator = new CheckpointEvaluator(settings, registry, new CheckpointLoader(), loop, SUBSET,
                    onPublished).start()) {
                await(() -> published.stream().anyMatch(e -> e.getRunId().equals(run) && e.getStep() == 20), "step 20 is evaluated");
                Thread.sleep(1500); // a poll later, step 10 has not come back
            }
        }
        List<CheckpointEvaluation> ours = published.stream().filter(e -> e.getRunId().equals(run)).toList();
        try (var files = Files.list(runs.resolve(run))) {
            Path events = files.filter(f -> f.getFileName().toString().startsWith("events.out.tfevents.")).findFirst().orElseThrow();
            assertTrue(Files.size(events) > 100, "TensorBoard has the evaluations' scalars: " + Files.size(events) + " bytes");
        }
        assertEquals(List.of(10L, 20L), ours.stream().map(CheckpointEvaluation::getStep).toList());

        List<CheckpointEvaluation> onTopic = new ArrayList<>();
        TopicSnapshot.read(settings, "evaluation-test-reader", List.of(Topics.CHECKPOINT_EVALUATIONS.name()),
                TopicSnapshot.decoding(new AvroSerde<>(CheckpointEvaluation.class, registry)), (record, e) -> {
                    if (e.getRunId().equals(run)) {
                        assertEquals(run + "/" + e.getStep(), new String(record.key(), StandardCharsets.UTF_8));
                        onTopic.add(e);
                    }
                });
        assertEquals(ours, onTopic, "what the evaluator reported is what the topic holds");
        CheckpointEvaluation first = onTopic.get(0);
        assertEquals("step-10-" + tokenizer.id(), first.getModelId());
        assertEquals(2.5, first.getEvalLoss());
        assertEquals(Math.exp(2.5), first.getPerplexity(), 1e-9);
        assertEquals(SUBSET, first.getHumanEvalProblems());
        assertEquals(fit, first.getHumanEvalScored(), "the problems that fit the 512-token context are scored");
        assertTrue(fit > 0);
        double passAt1 = first.getHumanEvalPassAt1();
        assertTrue(passAt1 >= 0 && passAt1 <= 1, "pass@1 " + passAt1);
        assertEquals(0L, first.getSandboxFailures());
    }

    @Test
    void aServiceToldToServeOnlyNotWorseCheckpointsKeepsItsModelWhenAWorseOneIsAnnounced(@TempDir Path tmp) throws Exception {
        KafkaSettings settings = cluster();
        SchemaRegistryClient registry = new SchemaRegistryClient(settings.schemaRegistryUrl());
        String run = "guard-test-" + System.nanoTime();
        String tokenizerId = TinyCheckpoint.gpt2Tokenizer().id();
        Map<String, Object> config = Map.of(
                "micronaut.server.port", -1,
                "streamparrot.data-dir", tmp.resolve("data").toString(),
                "streamparrot.kafka.bootstrap-servers", settings.bootstrapServers(),
                "streamparrot.schema-registry.url", settings.schemaRegistryUrl(),
                "streamparrot.inference.serve-only-not-worse", true,
                "streamparrot.inference.evaluation.enabled", false);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings.producer("guard-test"));
             EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, config)) {
            ModelSlot slot = server.getApplicationContext().getBean(ModelSlot.class);
            InferenceMetrics metrics = server.getApplicationContext().getBean(InferenceMetrics.class);
            announce(producer, registry, run, 10, TinyCheckpoint.write(tmp.resolve("10"), TinyCheckpoint.tinyConfig(256), 1), 2.0);
            await(() -> served(slot).equals("step-10-" + tokenizerId), "step 10 is served");
            double rejected = metrics.rejectedCheckpoints();
            announce(producer, registry, run, 20, TinyCheckpoint.write(tmp.resolve("20"), TinyCheckpoint.tinyConfig(256), 2), 2.5);
            await(() -> metrics.rejectedCheckpoints() > rejected, "step 20, worse, is refused");
            assertEquals("step-10-" + tokenizerId, served(slot));
            announce(producer, registry, run, 30, TinyCheckpoint.write(tmp.resolve("30"), TinyCheckpoint.tinyConfig(256), 3), 2.0);
            await(() -> served(slot).equals("step-30-" + tokenizerId), "step 30, as good as 10, is served");
        }
    }

    private static KafkaSettings cluster() throws Exception {
        KafkaSettings settings = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        TopicAdmin.ensure(settings.bootstrapServers(),
                List.of(Topics.CHECKPOINTS, Topics.CHECKPOINT_EVALUATIONS, Topics.DEAD_LETTERS), (short) 1);
        return settings;
    }

    private static String served(ModelSlot slot) {
        return slot.current().map(LoadedModel::id).orElse("");
    }

    private static void announce(KafkaProducer<byte[], byte[]> producer, SchemaRegistryClient registry, String run, long step,
                                 Path dir, double evalLoss) throws Exception {
        CheckpointAnnouncement a = CheckpointAnnouncement.newBuilder().setRunId(run).setStep(step)
                .setTokenizerId(TinyCheckpoint.gpt2Tokenizer().id()).setEvalLoss(evalLoss).setPerplexity(Math.exp(evalLoss))
                .setLocation(dir.toUri().toString()).setSha256(TinyCheckpoint.sha256(dir)).setCreatedAt(Instant.now()).build();
        AvroSerde<CheckpointAnnouncement> serde = new AvroSerde<>(CheckpointAnnouncement.class, registry);
        producer.send(new ProducerRecord<>(Topics.CHECKPOINTS.name(), (run + "/" + step).getBytes(StandardCharsets.UTF_8),
                serde.serialize(Topics.CHECKPOINTS.name(), a))).get();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 90_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting until " + what);
            Thread.sleep(100);
        }
    }
}
