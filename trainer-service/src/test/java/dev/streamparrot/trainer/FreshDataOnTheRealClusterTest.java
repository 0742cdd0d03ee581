package dev.streamparrot.trainer;

import dev.streamparrot.kafka.DeadLetteringDecoder;
import dev.streamparrot.kafka.DeadLetters;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.OutageGuard;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.PartitionOffset;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.topics.Topic;
import dev.streamparrot.topics.Topics;
import dev.streamparrot.trainer.checkpoint.CheckpointStore;
import dev.streamparrot.trainer.data.FakeChunkSource;
import dev.streamparrot.trainer.data.KafkaChunkSource;
import dev.streamparrot.trainer.data.ValidationChunks;
import dev.streamparrot.trainer.loop.Trainer;
import dev.streamparrot.trainer.loop.TrainingArgs;
import dev.streamparrot.trainer.loop.TrainingListener;
import dev.streamparrot.model.TrainStep;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fresh data first on the real broker and registry: chunks produced while an endless wsd run trains are
 * trained within the bound the fresh fraction and batch size give, and the announcement then covers them.
 */
@ExtendWith(RealCluster.class)
class FreshDataOnTheRealClusterTest {
    static final int SEQ = 32, VOCAB = 64, BATCH = 4, DECAY = 2, NEW = 6;
    static final double FRESH = 0.5;

    @Test
    void chunksProducedWhileTrainingAreTrainedWithinTheBoundAndTheNextFrontierCoversThem(@TempDir Path dir) throws Exception {
        KafkaSettings kafka = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        SchemaRegistryClient registry = new SchemaRegistryClient(kafka.schemaRegistryUrl());
        String topic = "fresh-chunks-" + System.nanoTime(), validTopic = topic + "-valid";
        TopicAdmin.ensure(kafka.bootstrapServers(), List.of(new Topic<>(topic, 3, "delete", "-", Chunk.class),
                new Topic<>(validTopic, 1, "delete", "-", Chunk.class), Topics.DEAD_LETTERS), (short) 1);
        AvroSerde<Chunk> chunks = new AvroSerde<>(Chunk.class, registry);
        AvroSerde<CheckpointAnnouncement> announcements = new AvroSerde<>(CheckpointAnnouncement.class, registry);
        Path tokenizerJson = dir.resolve("tokenizer.json");
        Files.writeString(tokenizerJson, "{}\n");
        TokenizerRelease release = new TokenizerRelease("tok", VOCAB, VOCAB - 1, tokenizerJson.toUri().toString(), dev.streamparrot.artifacts.Sha256.of(tokenizerJson), 0L, 0L, "", Instant.now());
        TrainingArgs args = TrainingArgs.profile("cpu-tiny").with(Map.ofEntries(
                Map.entry("seq_length", "" + SEQ), Map.entry("train_batch_size", "" + BATCH), Map.entry("valid_batch_size", "4"),
                Map.entry("gradient_accumulation_steps", "1"), Map.entry("num_warmup_steps", "2"), Map.entry("max_eval_steps", "1"),
                Map.entry("eval_interval", "1000"), Map.entry("log_interval", "1000"), Map.entry("max_train_steps", "none"),
                Map.entry("lr_scheduler_type", "wsd"), Map.entry("decay_steps", "" + DECAY), Map.entry("save_checkpoint_steps", "1"),
                Map.entry("dataset", "fresh-replay"), Map.entry("fresh_fraction", "" + FRESH)));
        Random random = new Random(3);

        try (var producer = new KafkaProducer<byte[], byte[]>(kafka.producer("fresh-test"))) {
            for (int k = 0; k < 12; k++) send(producer, chunks, topic, k % 3, random);
            for (int k = 0; k < 4; k++) send(producer, chunks, validTopic, 0, random);
            DeadLetteringDecoder<Chunk> decoder = new DeadLetteringDecoder<>(chunks, new DeadLetters("trainer-test", registry), producer,
                    new OutageGuard(kafka.bootstrapServers()));
            List<CheckpointAnnouncement> announced = new CopyOnWriteArrayList<>();
            AtomicLong step = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            try (KafkaChunkSource train = new KafkaChunkSource(topic, kafka.consumer("fresh-" + topic), decoder);
                 KafkaChunkSource valid = new KafkaChunkSource(validTopic, kafka.consumer("fresh-valid-" + topic), decoder)) {
                Trainer trainer = new Trainer(new Trainer.Run("fresh", args, "tok", VOCAB, ai.djl.Device.cpu()),
                        new Trainer.Io(train, new ValidationChunks(valid), (r, why) -> failure.set(new AssertionError(why)),
                                id -> Optional.of(release), new CheckpointStore(dir.resolve("store")),
                                // through the real registry: the frontier and token count are part of the announcement's schema
                                a -> announced.add(announcements.deserialize(Topics.CHECKPOINTS.name(),
                                        announcements.serialize(Topics.CHECKPOINTS.name(), a)))),
                        List.of(new TrainingListener() {
                            @Override
                            public void updated(TrainStep.Result r, double tokensPerSecond) {
                                step.set(r.step());
                            }
                        }));
                Thread thread = new Thread(() -> {
                    try {
                        trainer.run();
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }, "fresh-trainer");
                thread.start();
                try {
                    // the first 12 chunks are trained by update 6 (2 fresh per update); add 6 more once training is past that
                    await(() -> step.get() >= 8 || failure.get() != null, 120_000);
                    assertNull(failure.get());
                    Map<Integer, Long> ends = new TreeMap<>(); // per partition, the offset after the last chunk produced
                    for (int k = 0; k < NEW; k++) ends.put(k % 3, send(producer, chunks, topic, k % 3, random) + 1);
                    long arrivedAt = step.get();
                    // batches for updates after arrivedAt + DECAY are drawn after the chunks arrived (a decay branch may
                    // have drawn the ones before), and 2 of every 4 samples are fresh: the main line trains them by update
                    // arrivedAt + DECAY + ceil(6 / 2); an announcement's frontier includes its branch's DECAY updates
                    long bound = (long) Math.ceil(NEW / Math.floor(BATCH * FRESH));
                    long coveringStep = arrivedAt + bound;
                    await(() -> announced.stream().anyMatch(a -> a.getStep() >= coveringStep) || failure.get() != null, 120_000);
                    assertNull(failure.get());
                    CheckpointAnnouncement covering = announced.stream().filter(a -> a.getStep() == coveringStep).findFirst().orElseThrow();
                    Map<Integer, Long> frontier = new TreeMap<>();
                    for (PartitionOffset f : covering.getFrontier()) frontier.put(f.getPartition(), f.getOffset());
                    assertEquals(Map.of(0, 6L, 1, 6L, 2, 6L), ends);
                    assertEquals(List.of(0, 1, 2), covering.getFrontier().stream().map(PartitionOffset::getPartition).toList());
                    for (int p = 0; p < 3; p++) {
                        assertTrue(frontier.get(p) >= ends.get(p), "step " + coveringStep + " frontier " + frontier + " covers " + ends);
                    }
                    assertEquals((coveringStep + DECAY) * BATCH * SEQ, covering.getTokensTrained());
                    CheckpointAnnouncement firstCovering = announced.stream().filter(a -> a.getFrontier().stream()
                            .allMatch(f -> f.getOffset() >= ends.get(f.getPartition()))).findFirst().orElseThrow();
                    System.out.printf("6 chunks produced after update %d: first announced as trained at step %d (bound %d)%n",
                            arrivedAt, firstCovering.getStep(), coveringStep);
                } finally {
                    trainer.requestStop();
                    thread.join(60_000);
                }
                assertNull(failure.get());
            }
        }
    }

    /** Sends a noisy-counter chunk; returns its offset. */
    static long send(KafkaProducer<byte[], byte[]> producer, AvroSerde<Chunk> serde, String topic, int partition, Random r) throws Exception {
        int[] ids = new int[SEQ];
        ids[0] = r.nextInt(VOCAB - 1);
        for (int i = 1; i < SEQ; i++) ids[i] = r.nextInt(10) == 0 ? r.nextInt(VOCAB - 1) : (ids[i - 1] + 1) % (VOCAB - 1);
        return producer.send(new ProducerRecord<>(topic, partition, null, serde.serialize(topic, FakeChunkSource.chunk("tok", ids)))).get().offset();
    }

    static void await(java.util.function.BooleanSupplier done, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!done.getAsBoolean() && System.currentTimeMillis() < deadline) Thread.sleep(50);
        assertTrue(done.getAsBoolean(), "timed out");
    }
}
