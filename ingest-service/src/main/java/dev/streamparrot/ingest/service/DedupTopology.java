package dev.streamparrot.ingest.service;

import dev.streamparrot.ingest.dedup.BandedLsh;
import dev.streamparrot.ingest.dedup.ExactDeduper;
import dev.streamparrot.ingest.dedup.FileOrder;
import dev.streamparrot.ingest.dedup.LshIndex;
import dev.streamparrot.ingest.dedup.MinHash;
import dev.streamparrot.ingest.file.RejectReason;
import dev.streamparrot.ingest.service.DedupMessages.BandEntry;
import dev.streamparrot.ingest.service.DedupMessages.BandMessage;
import dev.streamparrot.ingest.service.DedupMessages.NearDuplicate;
import dev.streamparrot.ingest.service.DedupMessages.Pending;
import dev.streamparrot.ingest.service.DedupMessages.Progress;
import dev.streamparrot.ingest.service.DedupMessages.VerdictMessage;
import dev.streamparrot.schemas.RejectedFile;
import dev.streamparrot.schemas.SourceFile;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
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
    private static final Logger LOG = LoggerFactory.getLogger(DedupTopology.class);
    static final String EXACT_STORE = "exact-dedup";
    static final String PENDING_STORE = "dedup-pending";
    static final String CLOCK_STORE = "dedup-clock";
    static final String BUCKET_STORE = "lsh-buckets";
    static final String TOKEN_STORE = "lsh-tokens";
    static final String BAND_PROGRESS_STORE = "band-progress";
    static final String VERDICT_PROGRESS_STORE = "verdict-progress";
    /** The key under which a progress store keeps the time it last sent on. */
    private static final int SENT = -1;
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
        topology.addProcessor("sign", () -> new Sign(topics.bandPartitions(), maxLateness, onVerdict), "candidates");
        topology.addSource("band-messages", Serdes.Long().deserializer(), DedupMessages.BAND_MESSAGE.deserializer(), topics.bands());
        topology.addProcessor("band", () -> new Band(topics.candidatePartitions()), "band-messages");
        topology.addSource("verdict-messages", Serdes.String().deserializer(), DedupMessages.VERDICT_MESSAGE.deserializer(), topics.verdicts());
        topology.addProcessor("decide", () -> new Decide(topics.bandPartitions(), onVerdict), "verdict-messages");

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

    /** Exact dedup, then the file waits and its band entries go to the buckets' owners. */
    private static final class Sign implements Processor<String, SourceFile, Object, Object> {
        private final int bandPartitions;
        private final Duration maxLateness;
        private final BiConsumer<SourceFile, RejectReason> onVerdict;
        private final LshIndex bands = LshIndex.inMemory();
        private ProcessorContext<Object, Object> context;
        private ExactDeduper exact;
        private KeyValueStore<Integer, Long> clock;
        private KeyValueStore<FileOrder, Pending> pending;
        private int partition;
        /** Wall-clock time of the last record read (or of the start), to tell a quiet partition from a slow one. */
        private long lastRead;
        private long sent = -1;

        Sign(int bandPartitions, Duration maxLateness, BiConsumer<SourceFile, RejectReason> onVerdict) {
            this.bandPartitions = bandPartitions;
            this.maxLateness = maxLateness;
            this.onVerdict = onVerdict;
        }

        @Override
        public void init(ProcessorContext<Object, Object> context) {
            this.context = context;
            exact = new ExactDeduper(new ExactStore(context.getStateStore(EXACT_STORE)));
            clock = context.getStateStore(CLOCK_STORE);
            pending = context.getStateStore(PENDING_STORE);
            partition = context.taskId().partition();
            lastRead = context.currentSystemTimeMs();
            context.schedule(PROGRESS_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::progress);
        }

        @Override
        public void process(Record<String, SourceFile> record) {
            // Time never goes back within a partition, so "everything before time t has been sent" can be said.
            long time = Math.max(Math.max(record.timestamp(), 0), clock());
            clock.put(partition, time);
            lastRead = context.currentSystemTimeMs();
            FileOrder order = new FileOrder(time, partition, context.recordMetadata().orElseThrow().offset());
            SourceFile file = record.value();
            if (file == null) {
                delete(record, order);
                return;
            }
            String fileKey = Records.key(file);
            ExactDeduper.FirstCopy first = exact.offer(file.getContentHash(), fileKey);
            if (first != null) {
                RejectedFile rejected = rejection(file, RejectReason.EXACT_DUPLICATE, "copy " + (first.copies() + 1) + " of " + first.fileKey());
                onVerdict.accept(file, RejectReason.EXACT_DUPLICATE);
                context.forward(new Record<>(rejected.getSource() + "/" + rejected.getPath(), rejected, record.timestamp()), "to-rejected");
                return;
            }
            pending.put(order, new Pending(fileKey, file, null));
            Set<String> tokens = MinHash.tokens(file.getContent());
            if (tokens.size() < LshIndex.MIN_TOKENS) return; // too little evidence: never a near-duplicate, nor the original of one
            long[] keys = bands.bandKeys(tokens);
            BandedLsh.Entry entry = new BandedLsh.Entry(file.getContentHash(), fileKey, order, keys);
            // One message per bands partition, not per band: the token set travels (and is stored) once per partition.
            Map<Integer, List<Integer>> bandsByPartition = new TreeMap<>();
            for (int band = 0; band < keys.length; band++) {
                bandsByPartition.computeIfAbsent(bucketPartition(keys[band], bandPartitions), p -> new ArrayList<>()).add(band);
            }
            for (List<Integer> group : bandsByPartition.values()) {
                int[] bandsHere = group.stream().mapToInt(Integer::intValue).toArray();
                context.forward(new Record<>(keys[bandsHere[0]], new BandEntry(bandsHere, entry, tokens), record.timestamp()), "to-bands");
            }
        }

        /**
         * A file deleted from its repository: its exact-hash entry is forgotten at once (a restored copy is a
         * first copy again); its tombstone waits its turn like a file, so it never overtakes the file it deletes.
         * Its near-duplicate entries stay: a restored file at the same path is a new version of itself there.
         */
        private void delete(Record<String, SourceFile> deletion, FileOrder order) {
            String fileKey = header(deletion, CandidatePublisher.FILE_KEY_HEADER);
            if (fileKey == null) fileKey = deletion.key(); // written before deletions were keyed by content hash
            String hash = header(deletion, CandidatePublisher.CONTENT_HASH_HEADER);
            if (hash != null) exact.forget(hash, fileKey);
            pending.put(order, new Pending(fileKey, null, null));
        }

        private static String header(Record<?, ?> record, String name) {
            Header header = record.headers().lastHeader(name);
            return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        }

        private long clock() {
            Long time = clock.get(partition);
            return time == null ? 0 : time;
        }

        /**
         * Reports how far the partition has got. A partition that read nothing for maxLateness (counted from
         * its last record, or from its task's start, so a backlog is read first) promises that whatever comes
         * next is placed no earlier than now − maxLateness: a quiet partition does not hold back the others.
         */
        private void progress(long now) {
            long time = clock();
            long promise = now - maxLateness.toMillis();
            if (now - lastRead >= maxLateness.toMillis() && promise > time) {
                time = promise;
                clock.put(partition, time);
            }
            if (time == sent) return;
            context.forward(new Record<>(0L, new Progress(partition, time), now), "to-bands");
            sent = time;
        }
    }

    /** The owner of some band buckets: finds the near-duplicate pairs that meet in them. */
    private static final class Band implements Processor<Long, BandMessage, String, VerdictMessage> {
        private final int candidatePartitions;
        private final BandedLsh lsh = new BandedLsh(LshIndex.DEFAULT_THRESHOLD);
        private ProcessorContext<String, VerdictMessage> context;
        private KeyValueStore<Long, List<BandedLsh.Entry>> buckets;
        private KeyValueStore<String, Set<String>> tokens;
        private KeyValueStore<Integer, Long> progress;

        Band(int candidatePartitions) {
            this.candidatePartitions = candidatePartitions;
        }

        @Override
        public void init(ProcessorContext<String, VerdictMessage> context) {
            this.context = context;
            buckets = context.getStateStore(BUCKET_STORE);
            tokens = context.getStateStore(TOKEN_STORE);
            progress = context.getStateStore(BAND_PROGRESS_STORE);
        }

        @Override
        public void process(Record<Long, BandMessage> record) {
            if (record.value() instanceof BandEntry entry) {
                add(record, entry);
            } else if (record.value() instanceof Progress upstream) {
                passOn(record, upstream);
            }
        }

        private void add(Record<Long, BandMessage> record, BandEntry message) {
            BandedLsh.Entry entry = message.entry();
            for (int band : message.bands()) {
                long key = entry.bandKey(band);
                List<BandedLsh.Entry> bucket = buckets.get(key);
                bucket = bucket == null ? new ArrayList<>(1) : new ArrayList<>(bucket);
                if (bucket.stream().anyMatch(other -> other.order().equals(entry.order()))) continue; // seen already
                for (BandedLsh.Entry other : bucket) {
                    lsh.judge(band, entry, message.tokens(), other, tokens.get(other.contentHash())).ifPresent(pair ->
                            context.forward(new Record<>(pair.later().contentHash(), new NearDuplicate(pair.later().order(),
                                    pair.earlier().fileKey(), pair.earlier().order(), pair.jaccard()), record.timestamp())));
                }
                bucket.add(entry);
                buckets.put(key, bucket);
            }
            if (tokens.get(entry.contentHash()) == null) tokens.put(entry.contentHash(), message.tokens());
        }

        /** Once every candidates partition has passed a time, so has this bands partition: tell every verdict owner. */
        private void passOn(Record<Long, BandMessage> record, Progress upstream) {
            Long before = progress.get(upstream.source());
            if (before == null || upstream.time() > before) progress.put(upstream.source(), upstream.time());
            long passed = lowest(progress, candidatePartitions);
            Long sent = progress.get(SENT);
            if (passed < 0 || (sent != null && passed <= sent)) return;
            progress.put(SENT, passed);
            context.forward(new Record<>("", new Progress(context.taskId().partition(), passed), record.timestamp()));
        }
    }

    /** Decides pending files once no earlier file can still be on its way. */
    private static final class Decide implements Processor<String, VerdictMessage, Object, Object> {
        private final int bandPartitions;
        private final BiConsumer<SourceFile, RejectReason> onVerdict;
        private ProcessorContext<Object, Object> context;
        private KeyValueStore<FileOrder, Pending> pending;
        private KeyValueStore<Integer, Long> progress;

        Decide(int bandPartitions, BiConsumer<SourceFile, RejectReason> onVerdict) {
            this.bandPartitions = bandPartitions;
            this.onVerdict = onVerdict;
        }

        @Override
        public void init(ProcessorContext<Object, Object> context) {
            this.context = context;
            pending = context.getStateStore(PENDING_STORE);
            progress = context.getStateStore(VERDICT_PROGRESS_STORE);
        }

        @Override
        public void process(Record<String, VerdictMessage> record) {
            if (record.value() instanceof NearDuplicate near) {
                Pending file = pending.get(near.file());
                if (file == null) {
                    // Cannot happen while progress is honest: a file is decided only after all its near-duplicates came.
                    LOG.warn("near-duplicate {} of {} arrived after {} was decided", near.earlierKey(), record.key(), near.file());
                    return;
                }
                pending.put(near.file(), file.withNear(near));
            } else if (record.value() instanceof Progress band) {
                Long before = progress.get(band.source());
                if (before == null || band.time() > before) progress.put(band.source(), band.time());
                long passed = lowest(progress, bandPartitions);
                if (passed > 0) decideBefore(passed, record.timestamp()); // 0: nothing read, nothing promised yet
            }
        }

        private void decideBefore(long time, long timestamp) {
            List<KeyValue<FileOrder, Pending>> ready = new ArrayList<>();
            try (KeyValueIterator<FileOrder, Pending> it = pending.range(null, FileOrder.lastBefore(time))) {
                it.forEachRemaining(ready::add);
            }
            for (KeyValue<FileOrder, Pending> entry : ready) {
                decide(entry.value, timestamp);
                pending.delete(entry.key);
            }
        }

        private void decide(Pending file, long timestamp) {
            if (file.file() == null) {
                context.forward(new Record<>(file.fileKey(), null, timestamp), "to-files");
            } else if (file.nearest() == null) {
                onVerdict.accept(file.file(), null);
                context.forward(new Record<>(file.fileKey(), file.file(), timestamp), "to-files");
            } else {
                NearDuplicate near = file.nearest();
                RejectedFile rejected = rejection(file.file(), RejectReason.NEAR_DUPLICATE,
                        String.format("Jaccard %.3f with %s", near.jaccard(), near.earlierKey()));
                onVerdict.accept(file.file(), RejectReason.NEAR_DUPLICATE);
                context.forward(new Record<>(rejected.getSource() + "/" + rejected.getPath(), rejected, timestamp), "to-rejected");
            }
        }
    }

    /** The time every one of {@code partitions} sources has passed, or -1 while one has not reported yet. */
    private static long lowest(KeyValueStore<Integer, Long> progress, int partitions) {
        long lowest = Long.MAX_VALUE;
        for (int p = 0; p < partitions; p++) {
            Long time = progress.get(p);
            if (time == null) return -1;
            lowest = Math.min(lowest, time);
        }
        return lowest;
    }

    private static RejectedFile rejection(SourceFile file, RejectReason reason, String detail) {
        return RejectedFile.newBuilder().setSource(file.getRepo()).setCommit(file.getCommit())
                .setPath(file.getPath()).setReason(reason.name()).setDetail(detail).setSize(file.getSize()).build();
    }

    /** hash → "copies\tfirst file key" */
    private record ExactStore(KeyValueStore<String, String> store) implements ExactDeduper.Store {
        @Override
        public ExactDeduper.FirstCopy get(String contentHash) {
            String value = store.get(contentHash);
            if (value == null) return null;
            int tab = value.indexOf('\t');
            return new ExactDeduper.FirstCopy(value.substring(tab + 1), Long.parseLong(value.substring(0, tab)));
        }

        @Override
        public void put(String contentHash, ExactDeduper.FirstCopy first) {
            store.put(contentHash, first.copies() + "\t" + first.fileKey());
        }

        @Override
        public void delete(String contentHash) {
            store.delete(contentHash);
        }
    }
}
