package dev.streamparrot.inference.service;

import dev.streamparrot.inference.provenance.ProvenanceIndex;
import dev.streamparrot.kafka.DeadLetteringDecoder;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.OutageGuard;
import dev.streamparrot.kit.TopicSnapshot;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;

/**
 * Feeds the {@link ProvenanceIndex} from source-files and the chunk topics ({@link TopicSnapshot}: read to
 * their end, then followed). Both topics belong to other services, so poison is left out and an outage
 * pauses the reading. The followers start on a background thread, so a broker that is not up yet delays
 * the index, never the service's start.
 */
public final class ProvenanceFollower implements AutoCloseable {
    private final ProvenanceIndex index = new ProvenanceIndex();
    private final KafkaSettings settings;
    private final SchemaRegistryClient registry;
    private final FollowerThread starter;
    private volatile TopicSnapshot sources;
    private volatile TopicSnapshot chunks;

    public ProvenanceFollower(KafkaSettings settings, SchemaRegistryClient registry) {
        this.settings = settings;
        this.registry = registry;
        this.starter = new FollowerThread("provenance index start", null, this::startFollowing);
    }

    public ProvenanceFollower start() {
        starter.start();
        return this;
    }

    public ProvenanceIndex index() {
        return index;
    }

    /**
     * Waits until every source file and chunk written before now is in the index, so an answer reflects what
     * the topics held when it was asked.
     *
     * @throws IllegalStateException when the topics are not read that far within the timeout
     */
    public void awaitCurrent(Duration timeout) throws InterruptedException {
        long asOf = System.currentTimeMillis();
        long deadline = System.nanoTime() + timeout.toNanos();
        while ((sources == null || chunks == null) && !starter.closed()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("the provenance index has not started reading yet");
            Thread.sleep(50);
        }
        if (starter.closed()) return;
        sources.awaitCaughtUp(asOf, timeout);
        chunks.awaitCaughtUp(asOf, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    }

    /** One try: a failure (a topic missing, the broker not up) is retried by the thread. */
    private void startFollowing() {
        OutageGuard guard = new OutageGuard(settings.bootstrapServers());
        String sourceTopic = Topics.SOURCE_FILES.name();
        // a reader of a topic that does not exist yet would follow no partition for good
        String missing = missingTopic(List.of(sourceTopic, Topics.CHUNKS_TRAIN.name(), Topics.CHUNKS_VALID.name()));
        if (missing != null) throw new IllegalStateException("topic " + missing + " does not exist yet");
        if (sources == null) {
            AvroSerde<SourceFile> serde = new AvroSerde<>(SourceFile.class, registry);
            sources = TopicSnapshot.follow(settings, "inference-provenance-sources", List.of(sourceTopic),
                    TopicSnapshot.skippingPoison(serde, guard, DeadLetteringDecoder.breakerName("inference", sourceTopic)),
                    (record, file) -> index.onSourceFile(record.partition(), record.offset(),
                            new String(record.key(), StandardCharsets.UTF_8), file));
        }
        AvroSerde<Chunk> serde = new AvroSerde<>(Chunk.class, registry);
        chunks = TopicSnapshot.follow(settings, "inference-provenance-chunks",
                List.of(Topics.CHUNKS_TRAIN.name(), Topics.CHUNKS_VALID.name()),
                TopicSnapshot.skippingPoison(serde, guard, DeadLetteringDecoder.breakerName("inference", "chunks")),
                (record, chunk) -> {
                    if (chunk != null) index.onChunk(record.partition(), record.offset(), chunk);
                });
    }

    /** The first of the topics the broker does not know, or null. */
    private String missingTopic(List<String> topics) {
        Map<String, Object> config = settings.consumer("unused");
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<byte[], byte[]> probe = new KafkaConsumer<>(config)) {
            Map<String, List<PartitionInfo>> known = probe.listTopics(Duration.ofSeconds(10));
            return topics.stream().filter(t -> known.getOrDefault(t, List.of()).isEmpty()).findFirst().orElse(null);
        }
    }

    @Override
    public void close() {
        starter.close();
        if (sources != null) sources.close();
        if (chunks != null) chunks.close();
    }
}
