package dev.streamparrot.ingest.source;

import dev.streamparrot.ingest.file.CandidateFile;
import dev.streamparrot.ingest.file.Rejection;

/** Receives what a {@link FileSource} finds. The pipeline is one; tests collect into lists. */
public interface SourceListener {

    /** Whether the path is worth reading at all (extension); unwanted files are not read and not reported. */
    boolean wants(String path);

    /** Files larger than this are reported TOO_LARGE without being read into memory. */
    int maxBytes();

    void onFile(CandidateFile file);

    /** A file or entry the source refused to read: unsafe path, symlink, bomb, malformed record... */
    void onRejected(Rejection rejection);
}
