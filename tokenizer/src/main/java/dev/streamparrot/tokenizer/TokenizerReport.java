package dev.streamparrot.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * How well a tokenizer fits a corpus, with the measures of the CodeParrot chapter and of tokenizer
 * papers. A "word" is a whitespace-separated word; its tokens are those of the pre-tokenized pieces
 * it is made of (a leading space belongs to the word after it).
 *
 * @param charsPerToken characters of text per token: higher is a tighter fit
 * @param fertility tokens per word
 * @param continuedWords share of words split into two or more tokens
 * @param rareTokenShare share of the vocab used fewer than {@code rareThreshold} times in the corpus
 * @param keywordsNotSingleTokens Python keywords that do not encode to a single token
 * @param longestTokens the longest tokens, decoded
 * @param lastMerges the last merges learned, as "left right"
 */
public record TokenizerReport(
        String tokenizerId,
        int vocabSize,
        long documents,
        long characters,
        long tokens,
        double charsPerToken,
        long words,
        double fertility,
        double continuedWords,
        int rareThreshold,
        double rareTokenShare,
        int unusedTokens,
        List<String> keywordsNotSingleTokens,
        List<String> longestTokens,
        List<String> lastMerges) {

    /** Python 3.11's {@code keyword.kwlist}. */
    public static final List<String> PYTHON_KEYWORDS = List.of(
            "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
            "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
            "not", "or", "pass", "raise", "return", "try", "while", "with", "yield");

    public static final int RARE_THRESHOLD = 10;

    public TokenizerReport {
        keywordsNotSingleTokens = List.copyOf(keywordsNotSingleTokens);
        longestTokens = List.copyOf(longestTokens);
        lastMerges = List.copyOf(lastMerges);
    }

    /** Encodes every document once and measures. */
    public static TokenizerReport measure(Tokenizer tokenizer, Iterator<String> documents) {
        long[] usage = new long[tokenizer.vocabSize()];
        long docs = 0, chars = 0, tokens = 0, words = 0, wordTokens = 0, continued = 0;
        IntList ids = new IntList(64);
        while (documents.hasNext()) {
            char[] text = documents.next().toCharArray();
            docs++;
            chars += text.length;
            int current = -1; // tokens of the word being read, -1 between words
            for (int i = 0; i < text.length; ) {
                int j = PreTokenizer.nextEnd(text, i, text.length);
                ids.clear();
                tokenizer.encodePiece(text, i, j, ids);
                tokens += ids.size();
                for (int k = 0; k < ids.size(); k++) usage[ids.get(k)]++;
                // A piece is all whitespace, or a word part that may start with one space.
                boolean blank = PreTokenizer.isWhiteSpace(text[j - 1]);
                if (blank || (current >= 0 && text[i] == ' ')) {
                    if (current >= 0) {
                        words++;
                        wordTokens += current;
                        if (current >= 2) continued++;
                    }
                    current = -1;
                }
                if (!blank) current = Math.max(current, 0) + ids.size();
                i = j;
            }
            if (current >= 0) {
                words++;
                wordTokens += current;
                if (current >= 2) continued++;
            }
        }
        int rare = 0, unused = 0;
        for (long u : usage) {
            if (u < RARE_THRESHOLD) rare++;
            if (u == 0) unused++;
        }
        List<String> notSingle = PYTHON_KEYWORDS.stream().filter(k -> tokenizer.encode(k).length != 1).toList();
        List<String> longest = IntStream.range(0, tokenizer.vocabSize())
                .mapToObj(id -> tokenizer.decode(new int[] {id}))
                .sorted(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()))
                .limit(8)
                .toList();
        List<String> merges = tokenizer.merges();
        List<String> last = new ArrayList<>(merges.subList(Math.max(0, merges.size() - 8), merges.size()));
        return new TokenizerReport(tokenizer.id(), tokenizer.vocabSize(), docs, chars, tokens,
                tokens == 0 ? 0 : (double) chars / tokens, words, words == 0 ? 0 : (double) wordTokens / words,
                words == 0 ? 0 : (double) continued / words, RARE_THRESHOLD, (double) rare / usage.length, unused,
                notSingle, longest, last);
    }

    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("tokenizer %s, vocab %,d%n", tokenizerId, vocabSize));
        sb.append(String.format("corpus: %,d documents, %,d chars, %,d tokens%n", documents, characters, tokens));
        sb.append(String.format("chars per token:        %.2f%n", charsPerToken));
        sb.append(String.format("fertility:              %.3f tokens per word (%,d words)%n", fertility, words));
        sb.append(String.format("continued words:        %.1f%% split into 2+ tokens%n", 100 * continuedWords));
        sb.append(String.format("rare tokens:            %.1f%% of the vocab used < %d times (%,d never)%n", 100 * rareTokenShare, rareThreshold, unusedTokens));
        sb.append("keywords not one token: ").append(keywordsNotSingleTokens.isEmpty() ? "none" : String.join(" ", keywordsNotSingleTokens)).append('\n');
        sb.append("longest tokens:         ");
        for (String t : longestTokens) sb.append(visible(t)).append(' ');
        sb.append('\n').append("last merges:            ");
        for (String m : lastMerges) sb.append('[').append(m).append("] ");
        return sb.append('\n').toString();
    }

    /** Shows whitespace and controls in a token so it can be read on one line. */
    private static String visible(String token) {
        StringBuilder sb = new StringBuilder("'");
        token.codePoints().forEach(cp -> {
            if (cp == ' ') sb.append('·');
            else if (cp == '\n') sb.append("\\n");
            else if (cp == '\t') sb.append("\\t");
            else if (cp < 0x20 || cp == 0x7F) sb.append(String.format("\\x%02x", cp));
            else sb.appendCodePoint(cp);
        });
        return sb.append("'(").append(token.getBytes(StandardCharsets.UTF_8).length).append(" B)").toString();
    }
}
