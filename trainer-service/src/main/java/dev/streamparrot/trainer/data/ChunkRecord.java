package dev.streamparrot.trainer.data;

import dev.streamparrot.schemas.Chunk;

/** A decoded chunk and where it sits in the log. */
public record ChunkRecord(int partition, long offset, Chunk chunk) {}
