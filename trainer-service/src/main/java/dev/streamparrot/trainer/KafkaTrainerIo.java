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
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.topics.Topics;
import dev.streamparrot.trainer.checkpoint.CheckpointStore;
import dev.streamparrot.trainer.data.ChunkRecord;
import dev.streamparrot.trainer.data.KafkaChunkSource;
import dev.streamparrot.trainer.data.ValidationChunks;
import dev.streamparrot.trainer.loop.Trainer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

/**
 * The trainer's connections to the cluster: chunks-train through its consumer group, chunks-valid for
 * evaluation, tokenizer-releases for the vocabulary and tokenizer.json, checkpoints for announcements,
 * dead-letters for chunks it cannot use.
 */
final class KafkaTrainerIo implements AutoCloseable {
    static final String SERVICE = "trainer-service";

    private final KafkaSettings kafka;
    private final SchemaRegistryClient registry;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaChunkSource train;
    private final KafkaChunkSource validation;
    private final Trainer.Io io;

    KafkaTrainerIo(TrainerSettings settings) {
        this.kafka = settings.kafka();
        TopicAdmin.ensure(kafka.bootstrapServers(), List.of(Topics.CHUNKS_TRAIN, Topics.CHUNKS_VALID, Topics.CHECKPOINTS,
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
        this.io = new Trainer.Io(train, valid,
                (record, reason) -> deadLetter(deadLetters, chunks, record, reason),
                this::release,
                new CheckpointStore(settings.checkpointDir()),
                a -> send(new ProducerRecord<>(Topics.CHECKPOINTS.name(),
                        (a.getRunId() + "/" + a.getStep()).getBytes(StandardCharsets.UTF_8),
                        announcements.serialize(Topics.CHECKPOINTS.name(), a))));
    }

    Trainer.Io io() {
        return io;
    }

    private void deadLetter(DeadLetters deadLetters, AvroSerde<Chunk> chunks, ChunkRecord r, String reason) {
        String topic = Topics.CHUNKS_TRAIN.name();
        send(deadLetters.record(deadLetters.letter(topic, r.partition(), r.offset(), null,
                chunks.serialize(topic, r.chunk()), new IllegalArgumentException(reason))));
    }

    /** The newest release with this id on the (compacted) tokenizer-releases topic, read from its beginning. */
    private Optional<TokenizerRelease> release(String tokenizerId) {
        AvroSerde<TokenizerRelease> serde = new AvroSerde<>(TokenizerRelease.class, registry);
        TopicPartition tp = new TopicPartition(Topics.TOKENIZER_RELEASES.name(), 0);
        TokenizerRelease found = null;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumer(SERVICE + "-releases"))) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (consumer.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        TokenizerRelease release = serde.deserialize(r.topic(), r.value());
                        if (release != null && tokenizerId.equals(release.getId())) found = release;
                    } catch (RuntimeException unreadable) {
                        // not ours to dead-letter: the tokenize-service owns that topic
                    }
                }
            }
        }
        return Optional.ofNullable(found);
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
    }

}
