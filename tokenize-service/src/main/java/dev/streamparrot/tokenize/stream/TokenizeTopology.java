package dev.streamparrot.tokenize.stream;

import dev.streamparrot.kafka.DeadLetters;
import dev.streamparrot.kafka.TimedSerde;
import dev.streamparrot.kit.InputDeadLetters;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.topics.Topic;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * source-files → encode → token-ids | dead-letters, in the Kafka Streams DSL; the whole topology is this one
 * method. Encoding itself is a processor ({@link EncodeProcessor}): which release encodes a file depends on the
 * file's partition and offset, which only the Processor API sees.
 */
public final class TokenizeTopology {
    /** Each source-files partition's {@link ReleaseSchedule}. */
    static final String SCHEDULES = "tokenize-release-schedules";

    private TokenizeTopology() {}

    public static Topology build(String applicationId, SchemaRegistryClient registry, ReleaseCatalog catalog,
                                 TokenizerCache tokenizers, TokenizeMetrics metrics) {
        LongConsumer avroNanos = nanos -> metrics.serde.record(nanos, TimeUnit.NANOSECONDS);
        AvroSerde<SourceFile> input = Topic.avro(Topics.SOURCE_FILES, registry);
        var deadLetters = new InputDeadLetters<>(new DeadLetters(applicationId, registry), input.serializer());

        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SCHEDULES), Serdes.String(), new ReleaseScheduleSerde()));
        KStream<byte[], Encoded> encoded = builder
                .stream(Topics.SOURCE_FILES.name(), Consumed.with(Serdes.ByteArray(), new TimedSerde<>(input, avroNanos)))
                .process(() -> new EncodeProcessor(catalog, tokenizers, deadLetters, metrics), Named.as("encode"), SCHEDULES);
        encoded.split(Named.as("encoded-"))
                .branch((key, out) -> out.isDeadLetter(), Branched.withConsumer(letters -> letters.mapValues(Encoded::letter)
                        .to(Topics.DEAD_LETTERS.name(), Produced.with(Serdes.ByteArray(), Topics.DEAD_LETTERS.serde(registry))), "dead-letters"))
                .defaultBranch(Branched.withConsumer(files -> files.mapValues(Encoded::ids)
                        .to(Topics.TOKEN_IDS.name(), Produced.with(Serdes.ByteArray(),
                                new TimedSerde<>(Topics.TOKEN_IDS.serde(registry), avroNanos))), "token-ids"));
        return builder.build();
    }
}
