package dev.streamparrot.packer.stream;

import dev.streamparrot.kafka.DeadLetters;
import dev.streamparrot.packer.core.Packer;
import dev.streamparrot.packer.core.RepoSplit;
import dev.streamparrot.kafka.TimedSerde;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.DeadLetter;
import dev.streamparrot.schemas.TokenizedFile;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.Stores;

import java.util.Optional;
import java.util.Set;

/**
 * token-ids → pack → chunks-train | chunks-valid | dead-letters. The whole topology is this one method.
 *
 * <p>Chunks are keyed by their input partition and written to the same partition number of the chunk
 * topic (modulo its size), so one partition's chunks stay in sequence order for readers.
 */
public final class PackerTopology {
    static final String SOURCE = "token-ids";
    static final String PACK = "pack";
    static final String TRAIN_SINK = "chunks-train";
    static final String VALID_SINK = "chunks-valid";
    static final String DEAD_LETTER_SINK = "dead-letters";
    static final String REMAINDERS = "packer-remainders";
    static final String SEQUENCES = "packer-sequences";

    private PackerTopology() {}

    public static Topology build(PackerSettings packing, SchemaRegistryClient registry, TokenizerReleases releases,
                                 PackerMetrics metrics) {
        AvroSerde<TokenizedFile> input = new AvroSerde<>(TokenizedFile.class, registry);
        var timedInput = new TimedSerde<>(input, nanos -> metrics.serde.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS));
        var chunks = new TimedSerde<>(new AvroSerde<>(Chunk.class, registry), nanos -> metrics.serde.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS));
        var letters = new AvroSerde<>(DeadLetter.class, registry);
        DeadLetters deadLetters = new DeadLetters(packing.applicationId(), registry);
        Packer packer = new Packer(packing.seqLength());
        RepoSplit split = new RepoSplit(packing.validShare());
        StreamPartitioner<Object, Object> byInputPartition =
                (topic, key, value, partitions) -> Optional.of(Set.of((Integer) key % partitions));

        Topology topology = new Topology();
        topology.addSource(SOURCE, Serdes.ByteArray().deserializer(), timedInput.deserializer(), Topics.TOKEN_IDS.name());
        topology.addProcessor(PACK, () -> new PackProcessor(packer, split, releases, deadLetters, input, metrics), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(REMAINDERS),
                Serdes.String(), Serdes.ByteArray()), PACK);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SEQUENCES),
                Serdes.String(), Serdes.Long()), PACK);
        topology.addSink(TRAIN_SINK, Topics.CHUNKS_TRAIN.name(), anyAs(Serdes.Integer().serializer()),
                anyAs(chunks.serializer()), byInputPartition, PACK);
        topology.addSink(VALID_SINK, Topics.CHUNKS_VALID.name(), anyAs(Serdes.Integer().serializer()),
                anyAs(chunks.serializer()), byInputPartition, PACK);
        topology.addSink(DEAD_LETTER_SINK, Topics.DEAD_LETTERS.name(), anyAs(Serdes.ByteArray().serializer()),
                anyAs(letters.serializer()), PACK);
        return topology;
    }

    /** The processor forwards to sinks of different types; each sink knows the one type it gets. */
    @SuppressWarnings("unchecked")
    private static <T> Serializer<Object> anyAs(Serializer<T> serializer) {
        return (topic, value) -> serializer.serialize(topic, (T) value);
    }
}
