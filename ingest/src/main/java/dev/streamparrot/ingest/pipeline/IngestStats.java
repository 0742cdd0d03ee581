package dev.streamparrot.ingest.pipeline;

import dev.streamparrot.ingest.file.RejectReason;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A snapshot of what a pipeline has done so far.
 *
 * @param files         files decided (accepted + rejected; skipped ones are not counted)
 * @param bytes         bytes of the files that were read
 * @param accepted      files accepted
 * @param acceptedBytes bytes of the files accepted
 * @param rejected      files rejected, by reason (every reason present, zero when none)
 */
public record IngestStats(long files, long bytes, long accepted, long acceptedBytes, Map<RejectReason, Long> rejected) {
    public IngestStats {
        rejected = Collections.unmodifiableMap(new EnumMap<>(rejected));
    }

    public long rejected(RejectReason reason) {
        return rejected.getOrDefault(reason, 0L);
    }

    public long rejectedTotal() {
        return rejected.values().stream().mapToLong(Long::longValue).sum();
    }

    /** One line per non-zero reason, largest first: the CLI's summary. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("files %,d (%,.1f MB): accepted %,d (%,.1f MB), rejected %,d%n",
                files, bytes / 1e6, accepted, acceptedBytes / 1e6, rejectedTotal()));
        rejected.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<RejectReason, Long>comparingByValue().reversed())
                .forEach(e -> sb.append(String.format("  %-22s %,d%n", e.getKey(), e.getValue())));
        return sb.toString();
    }
}
