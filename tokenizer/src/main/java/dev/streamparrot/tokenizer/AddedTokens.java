package dev.streamparrot.tokenizer;

import java.util.List;

/**
 * Special tokens such as {@code <|endoftext|>}: found in the raw text before pre-tokenization and
 * encoded as their own id, as HF's added vocabulary does (leftmost match, longest on ties), so
 * the text around them is pre-tokenized as separate segments.
 */
final class AddedTokens {
    private final List<String> contents;
    private final int[] ids;

    AddedTokens(List<String> contents, int[] ids) {
        this.contents = List.copyOf(contents);
        this.ids = ids.clone();
    }

    List<String> contents() {
        return contents;
    }

    int id(int index) {
        return ids[index];
    }

    interface Segments {
        void text(int from, int to);

        void special(int id);
    }

    /** Walks the text as alternating plain segments and special tokens. */
    void split(String text, Segments out) {
        int from = 0;
        while (from < text.length()) {
            int best = -1, bestAt = text.length();
            for (int k = 0; k < contents.size(); k++) {
                int at = text.indexOf(contents.get(k), from);
                if (at >= 0 && (at < bestAt || (at == bestAt && contents.get(k).length() > contents.get(best).length()))) {
                    best = k;
                    bestAt = at;
                }
            }
            if (bestAt > from) out.text(from, bestAt);
            if (best < 0) return;
            out.special(ids[best]);
            from = bestAt + contents.get(best).length();
        }
    }
}
