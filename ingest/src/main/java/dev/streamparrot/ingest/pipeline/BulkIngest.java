package dev.streamparrot.ingest.pipeline;

import dev.streamparrot.ingest.file.RejectReason;
import dev.streamparrot.ingest.file.Rejection;
import dev.streamparrot.ingest.dedup.ExactDeduper;
import dev.streamparrot.ingest.dedup.LshIndex;
import dev.streamparrot.ingest.filter.CleaningConfig;
import dev.streamparrot.ingest.source.FileSource;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * Directories, archives and JSON Lines files in one go: the sources run one after the other through one
 * fresh pipeline with in-memory dedup state, so a file is a duplicate of any file before it in any source.
 * The caller picks the sink: a JSON Lines file, the cluster's candidates topic, nothing.
 */
public final class BulkIngest {
    private BulkIngest() {}

    /**
     * Runs every source into {@code onAccepted} and {@code onRejected}. A source that cannot be read at all
     * is counted as UNREADABLE and the next one runs. Near dedup runs only where the config enables it.
     *
     * @param threads threads deciding files (see {@link IngestPipeline#run(FileSource, int)})
     * @return the counts over all sources
     */
    public static IngestStats run(List<FileSource> sources, CleaningConfig config, int threads,
                                  Consumer<AcceptedFile> onAccepted, Consumer<Rejection> onRejected, IngestProgress progress) {
        LshIndex near = config.enabled(RejectReason.NEAR_DUPLICATE) ? LshIndex.inMemory() : null;
        IngestPipeline pipeline = new IngestPipeline(config, ExactDeduper.inMemory(), near,
                file -> {
                    onAccepted.accept(file);
                    progress.decided();
                },
                rejection -> {
                    onRejected.accept(rejection);
                    progress.decided();
                });
        progress.started(pipeline::stats);
        for (FileSource source : sources) {
            try {
                pipeline.run(source, threads);
            } catch (IOException e) {
                pipeline.reject(new Rejection(source.name(), "", RejectReason.UNREADABLE, e.toString()));
            }
        }
        progress.finished();
        return pipeline.stats();
    }
}
