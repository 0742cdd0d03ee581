package dev.streamparrot.artifacts;

/** Thrown when the store itself fails (unreachable, refused, out of space): an outage, not a bad artifact. */
public class ArtifactStoreException extends RuntimeException {
    public ArtifactStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
