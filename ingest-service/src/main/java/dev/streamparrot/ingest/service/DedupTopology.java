package dev.streamparrot.ingest.service;

import dev.streamparrot.ingest.dedup.BandedLsh;
import dev.streamparrot.ingest.dedup.FileOrder;
import dev.streamparrot.ingest.file.RejectReason;
import dev.streamparrot.ingest.service.DedupMessages.BandEntry;
import dev.streamparrot.ingest.service.DedupMessages.BandMessage;
import dev.streamparrot.ingest.service.DedupMessages.Progress;
import dev.streamparrot.ingest.service.DedupMessages.VerdictMessage;
import dev.streamparrot.schemas.RejectedFile;
import dev.streamparrot.schemas.SourceFile;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The stateful half of ingest: exact and near deduplication over everything ever ingested, in RocksDB state
 * stores (backed by changelog topics), exactly once, spread over partitions so that it scales out.
 * <pre>
 * ingest-candidates ─► [sign] ─┬─► rejected-files (EXACT_DUPLICATE)
 *   (content hash)             └─► dedup-bands ─► [band] ─► dedup-verdicts ─► [decide] ─┬─► source-files
 *                                  (band bucket)             (content hash)              └─► rejected-files (NEAR_DUPLICATE)
 * </pre>
 * <ul>
 * <li><b>sign</b> (per candidates partition): exact dedup (equal content has equal keys, so one partition
 * sees all its copies), then the file waits in {@code dedup-pending} under its {@link FileOrder}, and its 32
 * band bucket keys go to the buckets' owners (one message per bands partition, with the token set). Every 200 ms it tells every bands
 * partition how far its partition has got ({@link Progress}).</li>
 * <li><b>band</b> (per bands partition): owns the buckets whose keys hash to it; each pair of files that
 * meets in a bucket is judged there ({@link BandedLsh}) and a near-duplicate is sent to the later file's
 * owner; progress goes on once every candidates partition has passed a time.</li>
 * <li><b>decide</b> (same tasks as sign): a pending file is decided once every bands partition has passed its
 * time, so every earlier file has reached its buckets and every near-duplicate of it has arrived: kept, or
 * rejected as a copy of the earliest file it nearly duplicates.</li>
 * </ul>
 * The verdicts depend on the records alone, not on which instance owns what or how partitions race. The one
 * exception: a partition that read nothing for {@code maxLateness} promises to place what comes next no
 * earlier than now − maxLateness, so a candidate arriving there with an older timestamp is placed at the
 * promise (see the README).
 */
public final class DedupTopology {
    static final Logger LOG = LoggerFactory.getLogger(DedupTopology.class);
    static final String EXACT_STORE = "exact-dedup";
    static final String PENDING_STORE = "dedup-pending";
    static final String CLOCK_STORE = "dedup-clock";
    static final String BUCKET_STORE = "lsh-buckets";
    static final String TOKEN_STORE = "lsh-tokens";
    static final String BAND_PROGRESS_STORE = "band-progress";
    static final String VERDICT_PROGRESS_STORE = "verdict-progress";
    static final Duration PROGRESS_INTERVAL = Duration.ofMillis(200);

    private DedupTopology() {}

    /**
     * @param maxLateness how long a quiet candidates partition holds back the verdicts of the others; see the class comment
     * @param onVerdict   told of each decision about a file (metrics), not of deletions; called on the stream thread
     */
    public static Topology build(DedupTopics topics, Serde<SourceFile> files, Serde<RejectedFile> rejections,
                                 Duration maxLateness, BiConsumer<SourceFile, RejectReason> onVerdict) {
        Topology topology = new Topology();
        topology.addSource("candidates", Serdes.String().deserializer(), files.deserializer(), topics.candidates());
        topology.addProcessor("sign", () -> new DedupSign(topics.bandPartitions(), maxLateness, onVerdict), "candidates");
        topology.addSource("band-messages", Serdes.Long().deserializer(), DedupMessages.BAND_MESSAGE.deserializer(), topics.bands());
        topology.addProcessor("band", () -> new DedupBand(topics.candidatePartitions()), "band-messages");
        topology.addSource("verdict-messages", Serdes.String().deserializer(), DedupMessages.VERDICT_MESSAGE.deserializer(), topics.verdicts());
        topology.addProcessor("decide", () -> new DedupDecide(topics.bandPartitions(), onVerdict), "verdict-messages");

        topology.addSink("to-bands", topics.bands(), Serdes.Long().serializer(), DedupMessages.BAND_MESSAGE.serializer(),
                DedupTopology.<Long, BandMessage>progressToAll(), "sign");
        topology.addSink("to-verdicts", topics.verdicts(), Serdes.String().serializer(), DedupMessages.VERDICT_MESSAGE.serializer(),
                DedupTopology.<String, VerdictMessage>progressToAll(), "band");
        topology.addSink("to-files", topics.files(), Serdes.String().serializer(), files.serializer(), "decide");
        topology.addSink("to-rejected", topics.rejected(), Serdes.String().serializer(), rejections.serializer(), "sign", "decide");

        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(EXACT_STORE), Serdes.String(), Serdes.String()), "sign");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CLOCK_STORE), Serdes.Integer(), Serdes.Long()), "sign");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PENDING_STORE), DedupMessages.ORDER,
                DedupMessages.PENDING), "sign", "decide");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(VERDICT_PROGRESS_STORE), Serdes.Integer(),
                Serdes.Long()), "decide");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(BUCKET_STORE), Serdes.Long(),
                DedupMessages.BUCKET), "band");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TOKEN_STORE), Serdes.String(),
                DedupMessages.TOKENS), "band");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(BAND_PROGRESS_STORE), Serdes.Integer(),
                Serdes.Long()), "band");
        return topology;
    }

    /** Progress goes to every partition; band entries to their buckets' partition; verdicts by their key. */
    private static <K, V> StreamPartitioner<K, V> progressToAll() {
        return new StreamPartitioner<>() {
            @Override
            public Optional<Set<Integer>> partitions(String topic, K key, V value, int numPartitions) {
                if (value instanceof BandEntry) return Optional.of(Set.of(bucketPartition((Long) key, numPartitions)));
                if (!(value instanceof Progress)) return Optional.empty();
                return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toSet()));
            }
        };
    }

    /** The bands partition that owns a bucket (bucket keys are well-mixed hashes already). */
    static int bucketPartition(long bucketKey, int partitions) {
        return (int) Math.floorMod(bucketKey, (long) partitions);
    }

    static RejectedFile rejection(SourceFile file, RejectReason reason, String detail) {
        return RejectedFile.newBuilder().setSource(file.getRepo()).setCommit(file.getCommit())
                .setPath(file.getPath()).setReason(reason.name()).setDetail(detail).setSize(file.getSize()).build();
    }

}
