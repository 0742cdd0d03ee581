package dev.streamparrot.ingest.filter;

import dev.streamparrot.ingest.file.Decision;
import dev.streamparrot.ingest.file.RejectReason;

/** One cleaning heuristic over a decoded file. */
public interface FileFilter {

    /** The reason this filter rejects with; also its name in {@link CleaningConfig#disabled()}. */
    RejectReason reason();

    /** {@link Decision#accept()} when the file passes, else a rejection with {@link #reason()}. */
    Decision check(DecodedFile file);
}
