package dev.streamparrot.ingest.service;

import dev.streamparrot.ingest.IngestCli;
import dev.streamparrot.ingest.filter.CleaningConfig;
import dev.streamparrot.ingest.pipeline.IngestStats;
import dev.streamparrot.ingest.pipeline.RejectReason;
import dev.streamparrot.ingest.source.FileSource;

import java.io.PrintStream;
import java.util.List;

/**
 * Directories, archives and JSON Lines into the cluster: the cleaning stage runs here, and the
 * cluster's dedup stage decides duplicates against everything ingested before, so a rerun publishes
 * nothing new to source-files.
 */
public final class BulkIngest {
    private BulkIngest() {}

    /** @param progressTo where the progress line goes, or null for none */
    public static IngestStats publish(List<FileSource> sources, CleaningConfig cleaning, CandidatePublisher publisher,
                                      int threads, PrintStream progressTo) {
        IngestStats stats = IngestCli.ingest(sources, cleaning.withDisabled(RejectReason.EXACT_DUPLICATE, RejectReason.NEAR_DUPLICATE),
                false, threads, publisher::accepted, rejection -> publisher.rejected(rejection, null), progressTo);
        publisher.flush();
        return stats;
    }
}
