package dev.streamparrot.trainer;

import dev.streamparrot.artifacts.ArtifactStore;
import dev.streamparrot.kafka.DeadLetteringDecoder;
import dev.streamparrot.kafka.DeadLetters;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.OutageGuard;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.kit.CheckpointPins;
import dev.streamparrot.kit.TopicSnapshot;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.topics.Topics;
import dev.streamparrot.trainer.checkpoint.CheckpointStore;
import dev.streamparrot.trainer.data.ChunkRecord;
import dev.streamparrot.trainer.data.KafkaChunkSource;
import dev.streamparrot.trainer.data.ValidationChunks;
import dev.streamparrot.trainer.loop.Trainer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The trainer's connections to the cluster: chunks-train through its consumer group, chunks-valid for
 * evaluation, tokenizer-releases for the vocabulary and tokenizer.json, checkpoints for announcements,
 * dead-letters for chunks it cannot use.
 */
final class KafkaTrainerIo implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KafkaTrainerIo.class);
    static final String SERVICE = "trainer-service";

    private final KafkaSettings kafka;
    private final SchemaRegistryClient registry;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaChunkSource train;
    private final KafkaChunkSource validation;
    private final Trainer.Io io;
    private final ArtifactStore artifacts;

    KafkaTrainerIo(TrainerSettings settings) {
        this.kafka = settings.kafka();
        TopicAdmin.ensure(kafka.bootstrapServers(), List.of(Topics.CHUNKS_TRAIN, Topics.CHUNKS_VALID, Topics.CHECKPOINTS, Topics.CHECKPOINT_PINS,
                Topics.TOKENIZER_RELEASES, Topics.DEAD_LETTERS), (short) 1);
        this.registry = new SchemaRegistryClient(kafka.schemaRegistryUrl());
        this.producer = new KafkaProducer<>(kafka.producer(SERVICE + "-" + settings.runId()));
        AvroSerde<Chunk> chunks = new AvroSerde<>(Chunk.class, registry);
        DeadLetters deadLetters = new DeadLetters(SERVICE, registry);
        DeadLetteringDecoder<Chunk> decoder = new DeadLetteringDecoder<>(chunks, deadLetters, producer,
                new OutageGuard(kafka.bootstrapServers()));
        this.train = new KafkaChunkSource(Topics.CHUNKS_TRAIN.name(), kafka.consumer(settings.groupId()), decoder);
        this.validation = new KafkaChunkSource(Topics.CHUNKS_VALID.name(), kafka.consumer(settings.groupId() + "-eval"), decoder);
        ValidationChunks valid = new ValidationChunks(validation);
        AvroSerde<CheckpointAnnouncement> announcements = new AvroSerde<>(CheckpointAnnouncement.class, registry);
        this.artifacts = settings.store().open();
        CheckpointStore checkpoints = new CheckpointStore(settings.checkpointDir(), artifacts);
        this.io = new Trainer.Io(train, valid,
                (record, reason) -> deadLetter(deadLetters, chunks, record, reason),
                this::release,
                checkpoints,
                a -> {
                    send(new ProducerRecord<>(Topics.CHECKPOINTS.name(),
                            (a.getRunId() + "/" + a.getStep()).getBytes(StandardCharsets.UTF_8),
                            announcements.serialize(Topics.CHECKPOINTS.name(), a)));
                    retain(checkpoints, settings);
                });
    }

    Trainer.Io io() {
        return io;
    }

    private void deadLetter(DeadLetters deadLetters, AvroSerde<Chunk> chunks, ChunkRecord r, String reason) {
        String topic = Topics.CHUNKS_TRAIN.name();
        send(deadLetters.record(deadLetters.letter(topic, r.partition(), r.offset(), null,
                chunks.serialize(topic, r.chunk()), new IllegalArgumentException(reason))));
    }

    /**
     * The newest release with this id on the (compacted) tokenizer-releases topic, read from its beginning.
     * Poison there is not ours to dead-letter (the tokenize-service owns the topic); an outage waits.
     */
    private Optional<TokenizerRelease> release(String tokenizerId) {
        return release(kafka, registry, tokenizerId);
    }

    /** As {@link #release(String)}, for the trainer group's members. */
    static Optional<TokenizerRelease> release(KafkaSettings kafka, SchemaRegistryClient registry, String tokenizerId) {
        String topic = Topics.TOKENIZER_RELEASES.name();
        AvroSerde<TokenizerRelease> serde = new AvroSerde<>(TokenizerRelease.class, registry);
        AtomicReference<TokenizerRelease> found = new AtomicReference<>();
        TopicSnapshot.read(kafka, SERVICE + "-releases", List.of(topic),
                TopicSnapshot.skippingPoison(serde, new OutageGuard(kafka.bootstrapServers()), DeadLetteringDecoder.breakerName(SERVICE, topic)),
                (record, release) -> {
                    if (release != null && tokenizerId.equals(release.getId())) found.set(release);
                });
        return Optional.ofNullable(found.get());
    }

    /**
     * Retention, once a checkpoint is announced: the run's newest {@code keep-checkpoints} stay, and every one an
     * inference instance serves (checkpoint-pins). A store that fails here delays the clean-up, not training.
     */
    private void retain(CheckpointStore checkpoints, TrainerSettings settings) {
        try {
            Set<String> pinned = CheckpointPins.pinnedLocations(kafka, registry, SERVICE + "-" + settings.runId());
            List<String> deleted = checkpoints.retain(settings.runId(), settings.keepCheckpoints(), pinned);
            if (!deleted.isEmpty()) LOG.info("retention deleted {} (pinned: {})", deleted, pinned);
        } catch (RuntimeException e) {
            LOG.warn("checkpoint retention failed, retrying after the next checkpoint: {}", e.toString());
        }
    }

    private void send(ProducerRecord<byte[], byte[]> record) {
        try {
            producer.send(record).get(); // a checkpoint counts as announced only once the broker has it
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot write to " + record.topic() + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to " + record.topic(), e);
        }
    }

    @Override
    public void close() {
        train.close();
        validation.close();
        producer.close(Duration.ofSeconds(10));
        artifacts.close();
    }

}
