package dev.streamparrot.packer.stream;

import dev.streamparrot.kafka.DeadLetters;
import dev.streamparrot.kafka.TimedSerde;
import dev.streamparrot.kit.InputDeadLetters;
import dev.streamparrot.packer.core.Packer;
import dev.streamparrot.packer.core.RepoSplit;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.Split;
import dev.streamparrot.schemas.TokenizedFile;
import dev.streamparrot.topics.Topic;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.BranchedKStream;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.Stores;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * token-ids → pack → chunks-train | chunks-valid | dead-letters, in the Kafka Streams DSL; the whole topology is
 * this one method. Packing itself is a processor ({@link PackProcessor}): it keeps per-partition remainders and
 * sequence numbers, keyed by the input partition only the Processor API sees.
 *
 * <p>Chunks are keyed by their input partition and written to the same partition number of the chunk
 * topic (modulo its size), so one partition's chunks stay in sequence order for readers.
 */
public final class PackerTopology {
    static final String REMAINDERS = "packer-remainders";
    static final String SEQUENCES = "packer-sequences";

    private PackerTopology() {}

    public static Topology build(PackerSettings packing, SchemaRegistryClient registry, TokenizerReleases releases,
                                 PackerMetrics metrics) {
        AvroSerde<TokenizedFile> input = Topic.avro(Topics.TOKEN_IDS, registry);
        LongConsumer avroNanos = nanos -> metrics.serde.record(nanos, TimeUnit.NANOSECONDS);
        Serde<Chunk> chunks = new TimedSerde<>(Topics.CHUNKS_TRAIN.serde(registry), avroNanos);
        var deadLetters = new InputDeadLetters<>(new DeadLetters(packing.applicationId(), registry), input.serializer());
        Packer packer = new Packer(packing.seqLength());
        RepoSplit split = new RepoSplit(packing.validShare());

        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(REMAINDERS), Serdes.String(), new RemainderSerde()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SEQUENCES), Serdes.String(), Serdes.Long()));
        KStream<Integer, PackResult> packed = builder
                .stream(Topics.TOKEN_IDS.name(), Consumed.with(Serdes.ByteArray(), new TimedSerde<>(input, avroNanos)))
                .process(() -> new PackProcessor(packer, split, releases, deadLetters, metrics), Named.as("pack"), REMAINDERS, SEQUENCES);
        BranchedKStream<Integer, PackResult> outputs = packed.split(Named.as("packed-"))
                .branch((partition, out) -> out.isDeadLetter(), Branched.withConsumer(letters -> letters
                        .map((partition, out) -> KeyValue.pair(out.letter().getTopic().getBytes(StandardCharsets.UTF_8), out.letter()))
                        .to(Topics.DEAD_LETTERS.name(), Produced.with(Serdes.ByteArray(), Topics.DEAD_LETTERS.serde(registry))), "dead-letters"));
        outputs.branch((partition, out) -> out.chunk().getSplit() == Split.VALID, Branched.withConsumer(valid -> toChunks(valid, Topics.CHUNKS_VALID, chunks), "chunks-valid"))
                .defaultBranch(Branched.withConsumer(train -> toChunks(train, Topics.CHUNKS_TRAIN, chunks), "chunks-train"));
        return builder.build();
    }

    private static void toChunks(KStream<Integer, PackResult> results, Topic<Chunk> topic, Serde<Chunk> chunks) {
        StreamPartitioner<Integer, Chunk> byInputPartition = (t, partition, chunk, partitions) -> Optional.of(Set.of(partition % partitions));
        results.mapValues(PackResult::chunk)
                .to(topic.name(), Produced.with(Serdes.Integer(), chunks).withStreamPartitioner(byInputPartition));
    }
}
