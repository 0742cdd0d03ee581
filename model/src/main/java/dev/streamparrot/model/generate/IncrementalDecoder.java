package dev.streamparrot.model.generate;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a growing list of token ids into text deltas. A byte-level BPE token can end in the
 * middle of a UTF-8 character, which decodes to U+FFFD until the next token completes it, so
 * the decoder only releases text once it no longer ends in U+FFFD. It decodes a short window
 * (from the last stable point) rather than all ids each step, like vLLM's detokenizer.
 */
public final class IncrementalDecoder {
    private static final char REPLACEMENT = '\uFFFD';

    private final TextCodec codec;
    private final List<Integer> ids = new ArrayList<>();
    /** ids before prefixStart are already released and never decoded again. */
    private int prefixStart;
    /** ids in [prefixStart, readStart) are released; they give context to the window decode. */
    private int readStart;

    public IncrementalDecoder(TextCodec codec) {
        this.codec = codec;
    }

    /** Adds one token and returns the text it completes (often empty mid-character). */
    public String push(int id) {
        ids.add(id);
        String prefix = decode(prefixStart, readStart);
        String full = decode(prefixStart, ids.size());
        if (full.length() > prefix.length() && full.charAt(full.length() - 1) != REPLACEMENT) {
            prefixStart = readStart;
            readStart = ids.size();
            return full.substring(prefix.length());
        }
        return "";
    }

    /** Releases whatever is still held (an incomplete character stays U+FFFD) at the end of a sequence. */
    public String flush() {
        String prefix = decode(prefixStart, readStart);
        String full = decode(prefixStart, ids.size());
        prefixStart = readStart = ids.size();
        return full.length() > prefix.length() ? full.substring(prefix.length()) : "";
    }

    private String decode(int from, int to) {
        if (from == to) return "";
        int[] window = new int[to - from];
        for (int i = from; i < to; i++) window[i - from] = ids.get(i);
        return codec.decode(window);
    }
}
