package dev.streamparrot.ingest.source;

import java.io.IOException;

/**
 * Somewhere files come from: a directory, an archive, a JSON Lines dump, a git repository. A source
 * reports problems with single files to the listener and carries on; it throws only when it cannot be
 * read at all.
 */
public interface FileSource {

    /** What the source is called in logs and in {@code CandidateFile.source()} when nothing better is known. */
    String name();

    void read(SourceListener listener) throws IOException;
}
