package dev.streamparrot.inference.service;

import dev.streamparrot.inference.evaluation.CheckpointScore;
import dev.streamparrot.model.generate.GenerationParams;
import dev.streamparrot.inference.humaneval.HumanEvalProblem;
import dev.streamparrot.inference.humaneval.HumanEvalRunner;
import dev.streamparrot.inference.humaneval.Sandbox;
import dev.streamparrot.kafka.DeadLetteringDecoder;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.OutageGuard;
import dev.streamparrot.kafka.SchemaOutageException;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.schemas.CheckpointEvaluation;
import dev.streamparrot.topics.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates every announced checkpoint (not only those served) and publishes a {@link CheckpointEvaluation}
 * to {@code checkpoint-evaluations}: the trainer's eval loss and perplexity on the valid split, and pass@1 on
 * HumanEval's first {@code problems} problems (one sample each, a fixed seed), those that do not fit the model
 * counted apart. A consumer group: replicas share the checkpoints, and a restart goes on after the last one
 * published (an evaluation is committed after its record is acknowledged, so a crash evaluates one again,
 * never skips one). Each checkpoint is loaded on its own, beside the served model, and decoded on the shared
 * decode loop. A checkpoint whose files are gone is logged and passed over; an outage is waited out.
 */
public final class CheckpointEvaluator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointEvaluator.class);
    public static final String GROUP = "inference-evaluator";
    /** pass@1 from one greedy-ish sample per problem, reproducible: the same checkpoint scores the same. */
    static final GenerationParams SETTINGS = GenerationParams.HUMANEVAL.withSeed(1);

    private final KafkaSettings settings;
    private final CheckpointLoader loader;
    private final DecodeLoop loop;
    private final int problems;
    private final Consumer<CheckpointEvaluation> onPublished;
    private final AvroSerde<CheckpointAnnouncement> announcements;
    private final AvroSerde<CheckpointEvaluation> evaluations;
    private final OutageGuard guard;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final FollowerThread thread;

    /**
     * @param problems    the subset: HumanEval's first {@code problems} problems
     * @param onPublished told of each evaluation once the broker has it (TensorBoard, logs, tests)
     */
    public CheckpointEvaluator(KafkaSettings settings, SchemaRegistryClient registry, CheckpointLoader loader, DecodeLoop loop,
                               int problems, Consumer<CheckpointEvaluation> onPublished) {
        this.settings = settings;
        this.loader = loader;
        this.loop = loop;
        this.problems = problems;
        this.onPublished = onPublished;
        this.announcements = new AvroSerde<>(CheckpointAnnouncement.class, registry);
        this.evaluations = new AvroSerde<>(CheckpointEvaluation.class, registry);
        this.guard = new OutageGuard(settings.bootstrapServers());
        Map<String, Object> config = settings.consumer(GROUP);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        // one evaluation may take minutes on a CPU; the group must not think the member is gone meanwhile
        config.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Duration.ofMinutes(30).toMillis());
        this.consumer = new KafkaConsumer<>(config);
        this.producer = new KafkaProducer<>(settings.producer("inference-evaluator"));
        this.thread = new FollowerThread("checkpoint evaluator", consumer, this::evaluateAll);
    }

    public CheckpointEvaluator start() {
        thread.start();
        return this;
    }

    private void evaluateAll() {
        consumer.subscribe(List.of(Topics.CHECKPOINTS.name()));
        while (!thread.closed()) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
                TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                try {
                    evaluate(record);
                } catch (SchemaOutageException outage) {
                    consumer.seek(tp, record.offset()); // evaluate it once the registry answers again
                    outage.awaitRetry();
                    break;
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // e.g. the broker did not take the record: evaluate it again rather than skip it
                    consumer.seek(tp, record.offset());
                    throw new IllegalStateException("evaluating " + record.topic() + "-" + record.partition() + "@"
                            + record.offset() + " failed", e);
                }
                consumer.commitSync(Map.of(tp, new OffsetAndMetadata(record.offset() + 1)));
            }
        }
    }

    private void evaluate(ConsumerRecord<byte[], byte[]> record) {
        Optional<CheckpointAnnouncement> decoded = DeadLetteringDecoder.decodeOrJudge(announcements, guard,
                DeadLetteringDecoder.breakerName("inference-evaluator", record.topic()), record,
                why -> LOG.warn("leaving out {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), why));
        if (decoded.isEmpty()) return;
        CheckpointAnnouncement a = decoded.get();
        LoadedModel model;
        try {
            model = loader.load(a);
        } catch (RuntimeException gone) {
            LOG.warn("not evaluating step {} at {}: {}", a.getStep(), a.getLocation(), gone.getMessage());
            return;
        }
        CheckpointEvaluation evaluation;
        try {
            model.acquire();
            List<HumanEvalProblem> subset = HumanEvalProblem.bundled().subList(0, problems);
            HumanEvalRunner.Report report = new HumanEvalRunner(new Sandbox(), 2)
                    .run(subset, new LoopCompletionEngine(loop, model, SETTINGS), 1, null, r -> { });
            evaluation = CheckpointScore.of(a, problems, report, Instant.now());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } finally {
            model.release();
            model.retire();
        }
        try {
            producer.send(new ProducerRecord<>(Topics.CHECKPOINT_EVALUATIONS.name(),
                    (a.getRunId() + "/" + a.getStep()).getBytes(StandardCharsets.UTF_8),
                    evaluations.serialize(Topics.CHECKPOINT_EVALUATIONS.name(), evaluation))).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WakeupException();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("publishing the evaluation of step " + a.getStep() + " failed", e.getCause());
        }
        LOG.info("evaluated {}: eval loss {}, HumanEval pass@1 {} on {} of {} problems", evaluation.getModelId(),
                evaluation.getEvalLoss(), evaluation.getHumanEvalPassAt1(), evaluation.getHumanEvalScored(), problems);
        onPublished.accept(evaluation);
    }

    @Override
    public void close() {
        thread.close();
        producer.close(Duration.ofSeconds(2));
    }
}
