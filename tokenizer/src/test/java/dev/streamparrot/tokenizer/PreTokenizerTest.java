package dev.streamparrot.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PreTokenizerTest {
    /** GPT-2's pattern; UNICODE_CHARACTER_CLASS makes \s mean White_Space, as in Oniguruma. */
    private static final Pattern GPT2 = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    @Test
    void byteLevelTableIsGpt2s() {
        String alphabet = ByteLevel.alphabet();
        assertEquals(256, alphabet.length());
        assertEquals(256, alphabet.chars().distinct().count());
        assertEquals('!', alphabet.charAt(0));
        assertEquals('Ń', alphabet.charAt(255));
        assertEquals('Ġ', ByteLevel.charOf(' '));
        assertEquals('Ċ', ByteLevel.charOf('\n'));
        assertEquals('č', ByteLevel.charOf('\r'));
        assertEquals('ł', ByteLevel.charOf(0xA0));
        for (int b = 0; b < 256; b++) assertEquals(b, ByteLevel.byteOf(ByteLevel.charOf(b)));
        assertEquals("ĠhiĊ", ByteLevel.encode(" hi\n"));
    }

    @Test
    void splitsTheHelloExampleAsHf() {
        List<String> got = new ArrayList<>();
        for (PreTokenizer.Piece p : PreTokenizer.split(TestData.HELLO)) got.add("('" + p.text() + "', (" + p.start() + ", " + p.end() + "))");
        assertEquals("[('def', (0, 3)), ('Ġsay', (3, 7)), ('_', (7, 8)), ('hello', (8, 13)), ('():', (13, 16)), "
                + "('ĊĠĠĠ', (16, 20)), ('Ġprint', (20, 26)), ('(\"', (26, 28)), ('Hello', (28, 33)), (',', (33, 34)), "
                + "('ĠWorld', (34, 40)), ('!\")', (40, 43)), ('Ġ#', (43, 45)), ('ĠPrint', (45, 51)), ('Ġit', (51, 54)), "
                + "('Ċ', (54, 55)), ('Ċ', (55, 56)), ('say', (56, 59)), ('_', (59, 60)), ('hello', (60, 65)), "
                + "('()', (65, 67)), ('Ċ', (67, 68))]", got.toString());
    }

    @Test
    void matchesJavaRegexOnRandomUnicodeText() {
        Random random = new Random(42);
        for (int round = 0; round < 3000; round++) {
            String text = TestData.randomText(random, 1 + random.nextInt(60));
            assertEquals(regexPieces(text), scannerPieces(text), () -> "text: " + escape(text));
        }
    }

    @Test
    void matchesJavaRegexOnEdgeCases() {
        for (String text : List.of("", " ", "  ", "\n", "a ", " a", "  a", "\n\n  x", "x  \n", "it's", "IT'S", "'", "''s",
                "'re'", "a'lls", " 'd", "\t\tx", " \u00A0x", "\u00A0 x", "1.5e3", " 😀😀", "😀 x", "ab12cd", " 12 ", "\u3000\u3000中")) {
            assertEquals(regexPieces(text), scannerPieces(text), () -> "text: " + escape(text));
        }
    }

    private static List<String> regexPieces(String text) {
        List<String> pieces = new ArrayList<>();
        Matcher m = GPT2.matcher(text);
        int end = 0;
        while (m.find()) {
            assertEquals(end, m.start(), "the pattern matches every char of " + escape(text));
            pieces.add(m.start() + ":" + m.group());
            end = m.end();
        }
        assertEquals(text.length(), end);
        return pieces;
    }

    private static List<String> scannerPieces(String text) {
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < text.length(); ) {
            int j = PreTokenizer.nextEnd(text.toCharArray(), i, text.length());
            pieces.add(i + ":" + text.substring(i, j));
            i = j;
        }
        return pieces;
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(cp -> sb.append(cp >= 0x20 && cp < 0x7F ? String.valueOf((char) cp) : String.format("\\u{%x}", cp)));
        return sb.toString();
    }
}
