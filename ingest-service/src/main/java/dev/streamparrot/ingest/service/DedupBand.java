package dev.streamparrot.ingest.service;

import dev.streamparrot.ingest.dedup.BandedLsh;
import dev.streamparrot.ingest.dedup.LshIndex;
import dev.streamparrot.ingest.service.DedupMessages.BandEntry;
import dev.streamparrot.ingest.service.DedupMessages.BandMessage;
import dev.streamparrot.ingest.service.DedupMessages.NearDuplicate;
import dev.streamparrot.ingest.service.DedupMessages.Progress;
import dev.streamparrot.ingest.service.DedupMessages.VerdictMessage;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The owner of some band buckets: finds the near-duplicate pairs that meet in them. */
final class DedupBand implements Processor<Long, BandMessage, String, VerdictMessage> {
    private final int candidatePartitions;
    private final BandedLsh lsh = new BandedLsh(LshIndex.DEFAULT_THRESHOLD);
    private ProcessorContext<String, VerdictMessage> context;
    private KeyValueStore<Long, List<BandedLsh.Entry>> buckets;
    private KeyValueStore<String, Set<String>> tokens;
    private SourceProgress progress;

    DedupBand(int candidatePartitions) {
        this.candidatePartitions = candidatePartitions;
    }

    @Override
    public void init(ProcessorContext<String, VerdictMessage> context) {
        this.context = context;
        buckets = context.getStateStore(DedupTopology.BUCKET_STORE);
        tokens = context.getStateStore(DedupTopology.TOKEN_STORE);
        progress = new SourceProgress(context.getStateStore(DedupTopology.BAND_PROGRESS_STORE), candidatePartitions);
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
        long passed = progress.advance(upstream.source(), upstream.time());
        if (!progress.sendOn(passed)) return;
        context.forward(new Record<>("", new Progress(context.taskId().partition(), passed), record.timestamp()));
    }
}
