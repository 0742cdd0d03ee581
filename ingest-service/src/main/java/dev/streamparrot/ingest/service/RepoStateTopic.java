package dev.streamparrot.ingest.service;

import dev.streamparrot.kafka.DeadLetteringDecoder;
import dev.streamparrot.kafka.OutageGuard;
import dev.streamparrot.kafka.DeadLetters;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.kit.Sends;
import dev.streamparrot.kit.TopicSnapshot;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.RepositoryState;
import dev.streamparrot.topics.Topic;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;

/**
 * The tracker's durable memory: the compacted repo-state topic, keyed by repository id, holding each
 * repository's latest {@link RepoState}. Written on every change, read whole at start, so a restarted
 * (or a new) instance knows every repository and where its last ingest ended.
 */
public final class RepoStateTopic implements AutoCloseable {
    private static final String TOPIC = Topics.REPO_STATE.name();
    private final KafkaSettings settings;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AvroSerde<RepositoryState> serde;
    private final DeadLetters deadLetters;

    public RepoStateTopic(KafkaSettings settings, SchemaRegistryClient registry) {
        this.settings = settings;
        // Like the stream stages, so the service starts on a bare cluster; an existing topic is left as it is.
        TopicAdmin.ensure(settings.bootstrapServers(), List.of(Topics.REPO_STATE), (short) 1);
        this.producer = new KafkaProducer<>(settings.producer("ingest-repo-state"));
        this.serde = Topic.avro(Topics.REPO_STATE, registry);
        this.deadLetters = new DeadLetters("ingest-service", registry);
    }

    /**
     * Every repository's latest state, read from the beginning of the topic to its end as of now. On a
     * registry outage the reader goes back to the record and waits, losing no state.
     */
    public Collection<RepoState> load() {
        var decoder = new DeadLetteringDecoder<>(serde, deadLetters, producer, new OutageGuard(settings.bootstrapServers()));
        return TopicSnapshot.latestByKey(settings, "ingest-repo-state-loader", TOPIC, decoder::decode).values().stream()
                .map(Records::repoState).toList();
    }

    /** Writes the state and waits for the broker's acknowledgement; throws when Kafka cannot take it. */
    public void save(RepoState state) {
        Sends.acknowledged(producer, new ProducerRecord<>(TOPIC, state.id().getBytes(StandardCharsets.UTF_8),
                serde.serialize(TOPIC, Records.repositoryState(state))), "the state of " + state.url());
    }

    @Override
    public void close() {
        producer.close();
    }
}
