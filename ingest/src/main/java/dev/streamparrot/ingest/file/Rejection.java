package dev.streamparrot.ingest.file;

/** A file (or archive entry, or JSONL line) that was refused, with enough context to find it again. */
public record Rejection(String source, String path, RejectReason reason, String detail) {
    @Override
    public String toString() {
        return source + ":" + path + " " + reason + (detail == null ? "" : " (" + detail + ")");
    }
}
