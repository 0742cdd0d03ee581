package dev.streamparrot.packer.stream;

import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.DeadLetter;

/**
 * One output of packing a file: a chunk (for chunks-train or chunks-valid, by its split), or a dead letter.
 *
 * @param chunk  a full chunk; null for a dead letter
 * @param letter why the file was not packed; null for a chunk
 */
record PackResult(Chunk chunk, DeadLetter letter) {
    static PackResult chunk(Chunk chunk) {
        return new PackResult(chunk, null);
    }

    static PackResult deadLetter(DeadLetter letter) {
        return new PackResult(null, letter);
    }

    boolean isDeadLetter() {
        return letter != null;
    }
}
