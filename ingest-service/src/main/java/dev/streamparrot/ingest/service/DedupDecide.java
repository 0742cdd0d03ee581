package dev.streamparrot.ingest.service;

import dev.streamparrot.ingest.dedup.FileOrder;
import dev.streamparrot.ingest.file.RejectReason;
import dev.streamparrot.ingest.service.DedupMessages.NearDuplicate;
import dev.streamparrot.ingest.service.DedupMessages.Pending;
import dev.streamparrot.ingest.service.DedupMessages.Progress;
import dev.streamparrot.ingest.service.DedupMessages.VerdictMessage;
import dev.streamparrot.schemas.RejectedFile;
import dev.streamparrot.schemas.SourceFile;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/** Decides pending files once no earlier file can still be on its way. */
final class DedupDecide implements Processor<String, VerdictMessage, Object, Object> {
    private final int bandPartitions;
    private final BiConsumer<SourceFile, RejectReason> onVerdict;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<FileOrder, Pending> pending;
    private SourceProgress progress;

    DedupDecide(int bandPartitions, BiConsumer<SourceFile, RejectReason> onVerdict) {
        this.bandPartitions = bandPartitions;
        this.onVerdict = onVerdict;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        pending = context.getStateStore(DedupTopology.PENDING_STORE);
        progress = new SourceProgress(context.getStateStore(DedupTopology.VERDICT_PROGRESS_STORE), bandPartitions);
    }

    @Override
    public void process(Record<String, VerdictMessage> record) {
        if (record.value() instanceof NearDuplicate near) {
            Pending file = pending.get(near.file());
            if (file == null) {
                // Cannot happen while progress is honest: a file is decided only after all its near-duplicates came.
                DedupTopology.LOG.warn("near-duplicate {} of {} arrived after {} was decided", near.earlierKey(), record.key(), near.file());
                return;
            }
            pending.put(near.file(), file.withNear(near));
        } else if (record.value() instanceof Progress band) {
            long passed = progress.advance(band.source(), band.time());
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
            RejectedFile rejected = DedupTopology.rejection(file.file(), RejectReason.NEAR_DUPLICATE,
                    String.format("Jaccard %.3f with %s", near.jaccard(), near.earlierKey()));
            onVerdict.accept(file.file(), RejectReason.NEAR_DUPLICATE);
            context.forward(new Record<>(rejected.getSource() + "/" + rejected.getPath(), rejected, timestamp), "to-rejected");
        }
    }
}
