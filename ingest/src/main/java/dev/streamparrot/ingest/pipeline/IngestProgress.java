package dev.streamparrot.ingest.pipeline;

import java.util.function.Supplier;

/**
 * Told how a {@link BulkIngest} goes, e.g. to draw a progress line. {@link #decided()} is called on the
 * threads that decide files, so an implementation must be thread-safe and cheap.
 */
public interface IngestProgress {
    IngestProgress NONE = new IngestProgress() {};

    /** Once, before the first source is read: the running counts, to read whenever it likes. */
    default void started(Supplier<IngestStats> stats) {}

    /** After each file is accepted or rejected. */
    default void decided() {}

    /** Once, after the last source. */
    default void finished() {}
}
