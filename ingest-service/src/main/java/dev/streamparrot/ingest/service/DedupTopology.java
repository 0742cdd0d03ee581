package dev.streamparrot.ingest.service;

import dev.streamparrot.ingest.dedup.ExactDeduper;
import dev.streamparrot.ingest.dedup.LshIndex;
import dev.streamparrot.ingest.dedup.LshStore;
import dev.streamparrot.ingest.dedup.MinHash;
import dev.streamparrot.ingest.pipeline.RejectReason;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.schemas.RejectedFile;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The stateful half of ingest: exact and near deduplication over everything ever ingested, kept in
 * RocksDB state stores (backed by changelog topics), so a copy that arrives next week is caught too.
 * <pre>
 * ingest-candidates ─► dedup ─┬─► source-files   (first copies; tombstones for deleted files)
 *                             └─► rejected-files (EXACT_DUPLICATE, NEAR_DUPLICATE)
 * </pre>
 */
public final class DedupTopology {
    static final String EXACT_STORE = "exact-dedup";
    static final String BUCKET_STORE = "lsh-buckets";
    static final String TOKEN_STORE = "lsh-tokens";

    private DedupTopology() {}

    /**
     * What the dedup step decided about one file: published under {@code sourceKey} (accepted, or a
     * deletion when both values are null) or rejected.
     */
    record Verdict(String sourceKey, SourceFile accepted, RejectedFile rejected) {
        boolean published() {
            return rejected == null;
        }
    }

    /**
     * @param onVerdict told of each decision about a file (metrics), not of deletions; called on the stream thread
     */
    public static Topology build(AvroSerde<SourceFile> files, AvroSerde<RejectedFile> rejections,
                                 BiConsumer<SourceFile, RejectReason> onVerdict) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(EXACT_STORE), Serdes.String(), Serdes.String()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(BUCKET_STORE), Serdes.Long(), Serdes.String()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TOKEN_STORE), Serdes.String(), Serdes.String()));

        KStream<String, Verdict> verdicts = builder.stream(Topics.INGEST_CANDIDATES.name(), Consumed.with(Serdes.String(), files))
                .process(() -> new Dedup(onVerdict), EXACT_STORE, BUCKET_STORE, TOKEN_STORE);
        // A deletion goes on with a null value: a tombstone for the file's key on source-files.
        verdicts.split()
                .branch((key, verdict) -> verdict.published(), Branched.withConsumer(published -> published
                        .map((key, verdict) -> org.apache.kafka.streams.KeyValue.pair(verdict.sourceKey(), verdict.accepted()))
                        .to(Topics.SOURCE_FILES.name(), Produced.with(Serdes.String(), files))))
                .defaultBranch(Branched.withConsumer(rejected -> rejected
                        .map((key, verdict) -> org.apache.kafka.streams.KeyValue.pair(
                                verdict.rejected().getSource() + "/" + verdict.rejected().getPath(), verdict.rejected()))
                        .to(Topics.REJECTED_FILES.name(), Produced.with(Serdes.String(), rejections))));
        return builder.build();
    }

    private static final class Dedup implements Processor<String, SourceFile, String, Verdict> {
        private final BiConsumer<SourceFile, RejectReason> onVerdict;
        private ProcessorContext<String, Verdict> context;
        private ExactDeduper exact;
        private LshIndex near;

        Dedup(BiConsumer<SourceFile, RejectReason> onVerdict) {
            this.onVerdict = onVerdict;
        }

        @Override
        public void init(ProcessorContext<String, Verdict> context) {
            this.context = context;
            exact = new ExactDeduper(new ExactStore(context.getStateStore(EXACT_STORE)));
            near = new LshIndex(new StoreBackedLsh(context.getStateStore(BUCKET_STORE), context.getStateStore(TOKEN_STORE)),
                    new MinHash(), LshIndex.DEFAULT_BANDS, LshIndex.DEFAULT_ROWS, LshIndex.DEFAULT_THRESHOLD);
        }

        @Override
        public void process(Record<String, SourceFile> record) {
            SourceFile file = record.value();
            if (file == null) {
                delete(record);
                return;
            }
            String fileKey = Records.key(file);
            ExactDeduper.FirstCopy first = exact.offer(file.getContentHash(), fileKey);
            Verdict verdict;
            if (first != null) {
                verdict = rejection(file, RejectReason.EXACT_DUPLICATE, "copy " + (first.copies() + 1) + " of " + first.fileKey());
            } else {
                LshIndex.Match match = near.findOrAdd(fileKey, file.getContent());
                // A new commit's version of a file is close to its old version: that is a change, not a copy.
                boolean newVersion = match != null && match.docId().equals(fileKey);
                verdict = match == null || newVersion ? new Verdict(fileKey, file, null)
                        : rejection(file, RejectReason.NEAR_DUPLICATE, String.format("Jaccard %.3f with %s", match.jaccard(), match.docId()));
            }
            onVerdict.accept(file, verdict.accepted() != null ? null : RejectReason.valueOf(verdict.rejected().getReason()));
            context.forward(record.withValue(verdict));
        }

        /**
         * A file deleted from its repository (key: its repo/path). Its exact-hash entry is forgotten; its
         * near-duplicate token set stays (taking it out of the LSH buckets would need its MinHash again),
         * and a restored file at the same path is a new version of itself there anyway.
         */
        private void delete(Record<String, SourceFile> deletion) {
            Header hash = deletion.headers().lastHeader(CandidatePublisher.CONTENT_HASH_HEADER);
            if (hash != null) exact.forget(new String(hash.value(), StandardCharsets.UTF_8), deletion.key());
            context.forward(deletion.withValue(new Verdict(deletion.key(), null, null)));
        }

        private static Verdict rejection(SourceFile file, RejectReason reason, String detail) {
            return new Verdict(Records.key(file), null, RejectedFile.newBuilder().setSource(file.getRepo()).setCommit(file.getCommit())
                    .setPath(file.getPath()).setReason(reason.name()).setDetail(detail).setSize(file.getSize()).build());
        }
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

    /** bucket → doc ids and doc id → token set, each as '\n'-joined strings (tokens never contain '\n'). */
    private record StoreBackedLsh(KeyValueStore<Long, String> buckets, KeyValueStore<String, String> tokens) implements LshStore {
        @Override
        public List<String> bucket(long bucketKey) {
            String ids = buckets.get(bucketKey);
            return ids == null ? List.of() : Arrays.asList(ids.split("\n"));
        }

        @Override
        public void addToBucket(long bucketKey, String docId) {
            String ids = buckets.get(bucketKey);
            buckets.put(bucketKey, ids == null ? docId : ids + "\n" + docId);
        }

        @Override
        public Set<String> tokens(String docId) {
            String joined = tokens.get(docId);
            return joined == null ? null : new HashSet<>(Arrays.asList(joined.split("\n")));
        }

        @Override
        public void putTokens(String docId, Set<String> set) {
            tokens.put(docId, String.join("\n", new ArrayList<>(set)));
        }
    }
}
