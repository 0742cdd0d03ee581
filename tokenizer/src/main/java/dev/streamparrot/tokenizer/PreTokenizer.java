package dev.streamparrot.tokenizer;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UCharacterCategory;
import com.ibm.icu.lang.UProperty;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * GPT-2's pre-tokenizer: splits text into the pieces BPE may not merge across.
 *
 * <p>It is a hand-written scanner for GPT-2's pattern
 * <pre>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</pre>
 * with the meanings HF tokenizers (Oniguruma) gives the classes: {@code \p{L}} letters and
 * {@code \p{N}} numbers by Unicode general category, {@code \s} the Unicode White_Space property
 * (Java's own {@code \s} is ASCII-only unless UNICODE_CHARACTER_CLASS is set), all of the Unicode
 * version of HF's Oniguruma. ICU4J supplies them: Java 17's {@code Character} knows an older Unicode,
 * in which thousands of newer letters and digits are unassigned, so words split where HF's do not and
 * the trainer learned other merges. Only U+0020 may prefix a word. A run of whitespace before a
 * word gives up its last character, so a newline and four spaces of indentation become one piece
 * "\n   " and the word " print".
 *
 * <p>A scanner rather than java.util.regex because it is the hot path of encoding and of training,
 * and it allocates nothing. The tests check it against java.util.regex on random Unicode text and
 * against HF tokenizers itself on every code point.
 */
public final class PreTokenizer {
    /** One piece: its byte-level spelling and its [start, end) char offsets in the input. */
    public record Piece(String text, int start, int end) {}

    static final byte OTHER = 0, LETTER = 1, NUMBER = 2, SPACE = 3;
    /**
     * The class of every code point up to the last one that is not OTHER (all above it are
     * unassigned or private use), so that classifying a character is one array read. Built once
     * from ICU; it covers at least the BMP, which the scanner reads without a bounds check of its own.
     */
    private static final byte[] CLASSES = classTable();

    private PreTokenizer() {}

    /** The pieces of a text, spelled byte-level as HF's {@code pre_tokenize_str} shows them. */
    public static List<Piece> split(String text) {
        List<Piece> pieces = new ArrayList<>();
        char[] chars = text.toCharArray();
        for (int i = 0; i < chars.length; ) {
            int j = nextEnd(chars, i, chars.length);
            pieces.add(new Piece(ByteLevel.encode(text.substring(i, j)), i, j));
            i = j;
        }
        return pieces;
    }

    /** The end of the piece that starts at {@code i} within text[.., end). */
    static int nextEnd(char[] s, int i, int end) {
        char c = s[i];
        if (c == '\'' && i + 1 < end) {
            char d = s[i + 1];
            if (d == 's' || d == 't' || d == 'm' || d == 'd') return i + 2;
            if (i + 2 < end) {
                char e = s[i + 2];
                if ((d == 'r' && e == 'e') || (d == 'v' && e == 'e') || (d == 'l' && e == 'l')) return i + 3;
            }
        }
        int start = i;
        if (c == ' ' && i + 1 < end && classAt(s, i + 1, end) != SPACE) start = i + 1; // " ?" before a word
        int cls = classAt(s, start, end);
        if (cls != SPACE) {
            int j = start;
            while (j < end) {
                char ch = s[j];
                if (!Character.isSurrogate(ch)) { // the common case, without the code point dance
                    if (CLASSES[ch] != cls) break;
                    j++;
                } else {
                    if (classAt(s, j, end) != cls) break;
                    j += charCount(s, j, end);
                }
            }
            return j;
        }
        int j = i + 1; // every White_Space character is in the BMP
        while (j < end && CLASSES[s[j]] == SPACE) j++;
        if (j == end || j - i == 1) return j; // \s+ to the end, or a lone space before a word
        return j - 1; // \s+(?!\S): leave the last one to prefix the word that follows
    }

    static int classAt(char[] s, int i, int end) {
        char c = s[i];
        if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(s[i + 1])) {
            return classOf(Character.toCodePoint(c, s[i + 1]));
        }
        return CLASSES[c];
    }

    /** The class of a code point: OTHER, LETTER, NUMBER or SPACE. */
    static byte classOf(int cp) {
        return cp < CLASSES.length ? CLASSES[cp] : OTHER;
    }

    private static int charCount(char[] s, int i, int end) {
        return Character.isHighSurrogate(s[i]) && i + 1 < end && Character.isLowSurrogate(s[i + 1]) ? 2 : 1;
    }

    private static byte[] classTable() {
        byte[] classes = new byte[Character.MAX_CODE_POINT + 1];
        int last = 0xFFFF;
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            classes[cp] = classify(cp);
            if (classes[cp] != OTHER) last = Math.max(last, cp);
        }
        return Arrays.copyOf(classes, last + 1);
    }

    private static byte classify(int cp) {
        if (UCharacter.hasBinaryProperty(cp, UProperty.WHITE_SPACE)) return SPACE;
        switch (UCharacter.getType(cp)) {
            case UCharacterCategory.UPPERCASE_LETTER, UCharacterCategory.LOWERCASE_LETTER, UCharacterCategory.TITLECASE_LETTER,
                    UCharacterCategory.MODIFIER_LETTER, UCharacterCategory.OTHER_LETTER:
                return LETTER;
            case UCharacterCategory.DECIMAL_DIGIT_NUMBER, UCharacterCategory.LETTER_NUMBER, UCharacterCategory.OTHER_NUMBER:
                return NUMBER;
            default:
                return OTHER;
        }
    }

    /** Unicode's White_Space property, which is what Oniguruma's \s means on Unicode text. */
    static boolean isWhiteSpace(int cp) {
        return classOf(cp) == SPACE;
    }
}
