package dev.streamparrot.ingest.source;

import java.io.IOException;

/** Thrown by the guarded stream as soon as an archive inflates past its {@link ArchiveLimits}. */
final class ArchiveBombException extends IOException {
    ArchiveBombException(String message) {
        super(message);
    }
}
