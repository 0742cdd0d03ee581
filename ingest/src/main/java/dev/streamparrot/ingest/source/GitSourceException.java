package dev.streamparrot.ingest.source;

import java.io.IOException;

/** A repository could not be synchronised; {@link #kind()} says whether retrying or fixing the request helps. */
public final class GitSourceException extends IOException {
    public enum Kind { UNREACHABLE, AUTH_REQUIRED, NOT_FOUND, TIMEOUT, UNKNOWN_REF, CORRUPT, UNSUPPORTED }

    private final Kind kind;

    public GitSourceException(Kind kind, String message, Throwable cause) {
        super(kind + ": " + message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
