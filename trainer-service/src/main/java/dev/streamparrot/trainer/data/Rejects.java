package dev.streamparrot.trainer.data;

/** Where chunks the trainer cannot use go (the dead-letter topic in the service). */
@FunctionalInterface
public interface Rejects {
    void reject(ChunkRecord record, String reason);
}
