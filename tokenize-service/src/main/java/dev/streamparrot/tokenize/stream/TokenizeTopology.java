package dev.streamparrot.tokenize.stream;

import dev.streamparrot.kafka.DeadLetters;
import dev.streamparrot.kafka.TimedSerde;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.DeadLetter;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.schemas.TokenizedFile;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/** source-files → encode → token-ids | dead-letters. The whole topology is this one method. */
public final class TokenizeTopology {
    static final String SOURCE = "source-files";
    static final String ENCODE = "encode";
    static final String TOKEN_IDS_SINK = "token-ids";
    static final String DEAD_LETTER_SINK = "dead-letters";
    static final String SCHEDULES = "tokenize-release-schedules";

    private TokenizeTopology() {}

    public static Topology build(String applicationId, SchemaRegistryClient registry, ReleaseCatalog catalog,
                                 TokenizerCache tokenizers, TokenizeMetrics metrics) {
        AvroSerde<SourceFile> input = new AvroSerde<>(SourceFile.class, registry);
        var timedInput = new TimedSerde<>(input, nanos -> metrics.serde.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS));
        var output = new TimedSerde<>(new AvroSerde<>(TokenizedFile.class, registry), nanos -> metrics.serde.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS));
        var letters = new AvroSerde<>(DeadLetter.class, registry);
        DeadLetters deadLetters = new DeadLetters(applicationId, registry);

        Topology topology = new Topology();
        topology.addSource(SOURCE, Serdes.ByteArray().deserializer(), timedInput.deserializer(), Topics.SOURCE_FILES.name());
        topology.addProcessor(ENCODE, () -> new EncodeProcessor(catalog, tokenizers, deadLetters, input, metrics), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SCHEDULES),
                Serdes.String(), Serdes.String()), ENCODE);
        topology.addSink(TOKEN_IDS_SINK, Topics.TOKEN_IDS.name(), Serdes.ByteArray().serializer(), anyAs(output.serializer()), ENCODE);
        topology.addSink(DEAD_LETTER_SINK, Topics.DEAD_LETTERS.name(), Serdes.ByteArray().serializer(), anyAs(letters.serializer()), ENCODE);
        return topology;
    }

    /** The processor forwards to sinks of different types; each sink knows the one type it gets. */
    @SuppressWarnings("unchecked")
    private static <T> Serializer<Object> anyAs(Serializer<T> serializer) {
        return (topic, value) -> serializer.serialize(topic, (T) value);
    }
}
