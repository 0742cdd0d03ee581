package dev.streamparrot.inference.service;

import dev.streamparrot.kafka.DeadLetteringDecoder;
import dev.streamparrot.kafka.DeadLetters;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kit.CheckpointPins;
import dev.streamparrot.kafka.OutageGuard;
import dev.streamparrot.kafka.SchemaOutageException;
import dev.streamparrot.model.Checkpoint;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.topics.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the checkpoint topic and swaps each new checkpoint into the {@link ModelSlot}.
 *
 * <p>Every instance reads the whole topic itself (assigned partitions, no consumer group, nothing
 * committed): each replica must load every checkpoint, which a shared group would split between them.
 * At start it looks back a few records for the newest; with a pin it reads from the beginning and
 * loads only the pinned checkpoint. Loading runs on this thread, so requests keep being served by
 * the old model meanwhile; a checkpoint that fails its checksum or does not load is skipped. A schema
 * registry outage dead-letters no announcement: the follower stays at it and retries with backoff.
 * With {@code onlyNotWorse}, a checkpoint whose eval loss is higher than the served one's is passed over.
 */
public final class CheckpointFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointFollower.class);
    /** How far back to look at start for the newest checkpoint (a few, in case the last records are not loadable). */
    private static final int LOOK_BACK = 10;

    private final KafkaSettings settings;
    private final DeadLetteringDecoder<CheckpointAnnouncement> decoder;
    private final KafkaProducer<byte[], byte[]> deadLetterProducer;
    private final CheckpointLoader loader;
    private final ModelSlot slot;
    private final InferenceMetrics metrics;
    private final String pinned;
    private final String instance;
    private final AvroSerde<CheckpointAnnouncement> pinSerde;
    private final boolean onlyNotWorse;
    private final Consumer<String> onRejected;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final FollowerThread thread;
    /** The announcement of the checkpoint this follower swapped in last (the guard compares with it). */
    private CheckpointAnnouncement served;

    /**
     * @param pinned     a model id ({@code step-<N>-<tokenizerId>}) or record key ({@code <runId>/<step>}) to load
     *                   and keep, or null to follow the newest
     * @param onlyNotWorse serve a new checkpoint only if it is not worse than the served one ({@link NotWorseGuard})
     * @param onRejected told why a checkpoint was not loaded (logs; tests)
     * @param instance   this instance's key on checkpoint-pins, where it records what it serves so that the
     *                   trainer's retention keeps it; null records nothing
     */
    public CheckpointFollower(KafkaSettings settings, SchemaRegistryClient registry, CheckpointLoader loader, ModelSlot slot,
                              InferenceMetrics metrics, String pinned, boolean onlyNotWorse, Consumer<String> onRejected,
                              String instance) {
        this.instance = instance;
        this.pinSerde = new AvroSerde<>(CheckpointAnnouncement.class, registry);
        this.settings = settings;
        this.loader = loader;
        this.slot = slot;
        this.metrics = metrics;
        this.pinned = pinned == null || pinned.isBlank() ? null : pinned;
        this.onlyNotWorse = onlyNotWorse;
        this.onRejected = onRejected;
        this.deadLetterProducer = new KafkaProducer<>(settings.producer("inference-service-dead-letters"));
        this.decoder = new DeadLetteringDecoder<>(new AvroSerde<>(CheckpointAnnouncement.class, registry),
                new DeadLetters("inference-service", registry), deadLetterProducer, new OutageGuard(settings.bootstrapServers()));
        Map<String, Object> config = settings.consumer("unused");
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "inference-checkpoint-follower");
        this.consumer = new KafkaConsumer<>(config);
        this.thread = new FollowerThread("checkpoint follower", consumer, this::follow);
    }

    public CheckpointFollower start() {
        thread.start();
        return this;
    }

    private void follow() {
        List<TopicPartition> partitions = awaitPartitions();
        if (partitions == null) return;
        consumer.assign(partitions);
        if (pinned != null) {
            consumer.seekToBeginning(partitions);
        } else {
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            ends.forEach((tp, end) -> consumer.seek(tp, Math.max(0, end - LOOK_BACK)));
        }
        while (!thread.closed()) {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofSeconds(1));
            CheckpointAnnouncement newest = null;
            SchemaOutageException outage = null;
            for (TopicPartition tp : records.partitions()) {
                for (ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
                    Optional<CheckpointAnnouncement> a;
                    try {
                        a = decoder.decode(record);
                    } catch (SchemaOutageException e) {
                        consumer.seek(tp, record.offset()); // not past it: read it again once the outage clears
                        outage = e;
                        break;
                    }
                    if (a.isPresent() && wanted(a.get())) newest = a.get();
                }
            }
            if (newest != null) load(newest);
            if (outage != null) outage.awaitRetry();
        }
    }

    /** The topic's partitions once it exists (the trainer or the cluster tool creates it). */
    private List<TopicPartition> awaitPartitions() {
        while (!thread.closed()) {
            List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(Topics.CHECKPOINTS.name(), Duration.ofSeconds(5));
            } catch (org.apache.kafka.common.errors.TimeoutException slowBroker) {
                infos = null;
            }
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            }
            LOG.info("waiting for topic {}", Topics.CHECKPOINTS.name());
            FollowerThread.pause(Duration.ofSeconds(2));
        }
        return null;
    }

    private boolean wanted(CheckpointAnnouncement a) {
        if (pinned == null) return true;
        return pinned.equals(id(a)) || pinned.equals(a.getRunId() + "/" + a.getStep());
    }

    static String id(CheckpointAnnouncement a) {
        return Checkpoint.id(a.getStep(), a.getTokenizerId().toString());
    }

    private void load(CheckpointAnnouncement a) {
        if (slot.current().map(m -> m.id().equals(id(a))).orElse(false)) return; // already serving it
        if (onlyNotWorse) {
            Optional<String> refusal = NotWorseGuard.refusal(a, served);
            if (refusal.isPresent()) {
                metrics.rejectedCheckpoint();
                String why = "checkpoint " + id(a) + " not served: " + refusal.get();
                LOG.warn(why);
                onRejected.accept(why);
                return;
            }
        }
        long start = System.nanoTime();
        try {
            LoadedModel model = loader.load(a);
            slot.swap(model);
            served = a;
            LOG.info("serving {} from {} (loaded in {} ms)", model.id(), a.getLocation(), (System.nanoTime() - start) / 1_000_000);
            if (instance != null) CheckpointPins.pin(deadLetterProducer, pinSerde, instance, a);
        } catch (RuntimeException e) {
            metrics.rejectedCheckpoint();
            String why = "checkpoint " + id(a) + " at " + a.getLocation() + " not loaded: " + e.getMessage();
            LOG.warn(why);
            onRejected.accept(why);
        }
    }

    @Override
    public void close() {
        thread.close();
        deadLetterProducer.close(Duration.ofSeconds(2));
    }
}
