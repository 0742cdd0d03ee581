package dev.streamparrot.ingest.pipeline;

import dev.streamparrot.ingest.file.RejectReason;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Thread-safe running counts behind {@link IngestStats}; sources may run on several threads at once. */
public final class IngestCounters {
    private final LongAdder bytes = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder acceptedBytes = new LongAdder();
    private final Map<RejectReason, LongAdder> rejected = new EnumMap<>(RejectReason.class);

    public IngestCounters() {
        // Filled once here and never changed afterwards, so concurrent reads of the map are safe.
        for (RejectReason r : RejectReason.values()) rejected.put(r, new LongAdder());
    }

    public void read(long size) { bytes.add(size); }

    public void accepted(long size) {
        accepted.increment();
        acceptedBytes.add(size);
    }

    public void rejected(RejectReason reason) { rejected.get(reason).increment(); }

    public IngestStats snapshot() {
        Map<RejectReason, Long> byReason = new EnumMap<>(RejectReason.class);
        long rejectedTotal = 0;
        for (var e : rejected.entrySet()) {
            long n = e.getValue().sum();
            byReason.put(e.getKey(), n);
            rejectedTotal += n;
        }
        long acc = accepted.sum();
        return new IngestStats(acc + rejectedTotal, bytes.sum(), acc, acceptedBytes.sum(), byReason);
    }
}
