package dev.streamparrot.tokenize.stream;

import dev.streamparrot.schemas.DeadLetter;
import dev.streamparrot.schemas.TokenizedFile;

/**
 * What encoding one source file gave: its token ids (none for a deleted file: a tombstone goes on), or a dead
 * letter. The topology sends each to its topic.
 *
 * @param ids    the file's token ids; null for a deleted file or a dead letter
 * @param letter why the file was not encoded; null when it was
 */
record Encoded(TokenizedFile ids, DeadLetter letter) {
    static Encoded ids(TokenizedFile ids) {
        return new Encoded(ids, null);
    }

    static Encoded deleted() {
        return new Encoded(null, null);
    }

    static Encoded deadLetter(DeadLetter letter) {
        return new Encoded(null, letter);
    }

    boolean isDeadLetter() {
        return letter != null;
    }
}
