package dev.streamparrot.ingest.service;

import dev.streamparrot.ingest.dedup.BandedLsh;
import dev.streamparrot.ingest.dedup.ExactDeduper;
import dev.streamparrot.ingest.dedup.FileOrder;
import dev.streamparrot.ingest.dedup.LshIndex;
import dev.streamparrot.ingest.dedup.MinHash;
import dev.streamparrot.ingest.file.RejectReason;
import dev.streamparrot.ingest.service.DedupMessages.BandEntry;
import dev.streamparrot.ingest.service.DedupMessages.Pending;
import dev.streamparrot.ingest.service.DedupMessages.Progress;
import dev.streamparrot.schemas.RejectedFile;
import dev.streamparrot.schemas.SourceFile;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/** Exact dedup, then the file waits and its band entries go to the buckets' owners. */
final class DedupSign implements Processor<String, SourceFile, Object, Object> {
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

    DedupSign(int bandPartitions, Duration maxLateness, BiConsumer<SourceFile, RejectReason> onVerdict) {
        this.bandPartitions = bandPartitions;
        this.maxLateness = maxLateness;
        this.onVerdict = onVerdict;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        exact = new ExactDeduper(new ExactStore(context.getStateStore(DedupTopology.EXACT_STORE)));
        clock = context.getStateStore(DedupTopology.CLOCK_STORE);
        pending = context.getStateStore(DedupTopology.PENDING_STORE);
        partition = context.taskId().partition();
        lastRead = context.currentSystemTimeMs();
        context.schedule(DedupTopology.PROGRESS_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::progress);
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
            RejectedFile rejected = DedupTopology.rejection(file, RejectReason.EXACT_DUPLICATE, "copy " + (first.copies() + 1) + " of " + first.fileKey());
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
            bandsByPartition.computeIfAbsent(DedupTopology.bucketPartition(keys[band], bandPartitions), p -> new ArrayList<>()).add(band);
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

/** hash → "copies\tfirst file key" */
record ExactStore(KeyValueStore<String, String> store) implements ExactDeduper.Store {
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
