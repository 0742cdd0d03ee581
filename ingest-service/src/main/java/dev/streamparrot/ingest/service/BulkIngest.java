package dev.streamparrot.ingest.service;

import dev.streamparrot.ingest.dedup.ExactDeduper;
import dev.streamparrot.ingest.filter.CleaningConfig;
import dev.streamparrot.ingest.pipeline.IngestPipeline;
import dev.streamparrot.ingest.pipeline.IngestStats;
import dev.streamparrot.ingest.pipeline.RejectReason;
import dev.streamparrot.ingest.source.FileSource;

import java.io.IOException;

/**
 * Directories, archives and JSON Lines into the cluster: the cleaning stage runs here, and the
 * cluster's dedup stage decides duplicates against everything ingested before, so a rerun publishes
 * nothing new to source-files.
 */
public final class BulkIngest {
    private BulkIngest() {}

    public static IngestStats publish(FileSource source, CleaningConfig cleaning, CandidatePublisher publisher) throws IOException {
        IngestPipeline pipeline = new IngestPipeline(cleaning.withDisabled(RejectReason.EXACT_DUPLICATE, RejectReason.NEAR_DUPLICATE),
                ExactDeduper.inMemory(), null, publisher::accepted, rejection -> publisher.rejected(rejection, null));
        IngestStats stats = pipeline.run(source);
        publisher.flush();
        return stats;
    }
}
