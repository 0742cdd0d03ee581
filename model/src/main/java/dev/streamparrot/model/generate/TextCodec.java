package dev.streamparrot.model.generate;

import java.util.OptionalInt;

/** Text to token ids and back; the service adapts the project's byte-level BPE tokenizer to this. */
public interface TextCodec {

    int[] encode(String text);

    /** Bytes that do not form a complete UTF-8 character decode to U+FFFD. */
    String decode(int[] ids);

    /** The end-of-text token: sampling it ends a sequence with finish reason "stop". */
    default OptionalInt endOfText() {
        return OptionalInt.empty();
    }
}
