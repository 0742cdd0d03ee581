package dev.streamparrot.artifacts;

/** Thrown when no complete artifact is at a location (never written, deleted, or still being written). */
public class NoSuchArtifactException extends RuntimeException {
    public NoSuchArtifactException(String message) {
        super(message);
    }
}
