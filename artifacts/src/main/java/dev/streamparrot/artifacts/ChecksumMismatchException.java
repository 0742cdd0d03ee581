package dev.streamparrot.artifacts;

/** Thrown when an artifact's bytes are not the ones announced or listed in its manifest; names both hashes. */
public class ChecksumMismatchException extends RuntimeException {
    public ChecksumMismatchException(String message) {
        super(message);
    }
}
