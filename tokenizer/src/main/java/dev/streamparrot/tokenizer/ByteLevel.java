package dev.streamparrot.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * GPT-2's reversible map between bytes and printable characters ({@code bytes_to_unicode}).
 *
 * <p>BPE works on strings, but byte-level BPE must be able to spell any byte. GPT-2 keeps the 188
 * bytes that are already printable Latin-1 as themselves and moves the other 68 (control chars,
 * space, no-break space, soft hyphen) to U+0100 and up, in byte order. So space is {@code Ġ},
 * newline {@code Ċ}, CR {@code č}, no-break space {@code ł}.
 */
public final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + shifted++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {}

    /** The printable character standing for byte {@code b} (0..255). */
    public static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The byte a character stands for, or -1 when it is not one of the 256 byte characters. */
    public static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /**
     * The 256 byte characters sorted by code point, {@code !} to {@code Ń}: GPT-2's ids 0..255 and
     * the initial alphabet of a byte-level trainer.
     */
    public static String alphabet() {
        char[] chars = BYTE_TO_CHAR.clone();
        java.util.Arrays.sort(chars);
        return new String(chars);
    }

    /** The byte-level spelling of a text's UTF-8 bytes, e.g. {@code " hi\n"} becomes {@code "ĠhiĊ"}. */
    public static String encode(String text) {
        byte[] bytes = Utf8.encode(text, 0, text.length());
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        return new String(out);
    }

    /** The bytes a byte-level string spells; throws if a character is not a byte character. */
    public static byte[] decode(String byteChars) {
        byte[] out = new byte[byteChars.length()];
        for (int i = 0; i < out.length; i++) {
            int b = byteOf(byteChars.charAt(i));
            if (b < 0) throw new IllegalArgumentException("not a byte-level character: U+" + Integer.toHexString(byteChars.charAt(i)));
            out[i] = (byte) b;
        }
        return out;
    }

    /** UTF-8 without the JDK's encoder objects: the hot path encodes millions of short pieces. */
    static final class Utf8 {
        private Utf8() {}

        /** Writes the UTF-8 bytes of text[from, to) into out (which must hold 3 bytes per char) and returns the count. */
        static int encode(char[] text, int from, int to, byte[] out) {
            int n = 0;
            for (int i = from; i < to; i++) {
                char c = text[i];
                if (c < 0x80) {
                    out[n++] = (byte) c;
                } else if (c < 0x800) {
                    out[n++] = (byte) (0xC0 | (c >> 6));
                    out[n++] = (byte) (0x80 | (c & 0x3F));
                } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text[i + 1])) {
                    int cp = Character.toCodePoint(c, text[++i]);
                    out[n++] = (byte) (0xF0 | (cp >> 18));
                    out[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                    out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    out[n++] = (byte) (0x80 | (cp & 0x3F));
                } else {
                    // A lone surrogate has no UTF-8 form; like Java's own encoder we write U+FFFD's bytes.
                    if (Character.isSurrogate(c)) c = '\uFFFD';
                    out[n++] = (byte) (0xE0 | (c >> 12));
                    out[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                    out[n++] = (byte) (0x80 | (c & 0x3F));
                }
            }
            return n;
        }

        static byte[] encode(String text, int from, int to) {
            return encode(text.toCharArray(), from, to);
        }

        static byte[] encode(char[] text, int from, int to) {
            byte[] buf = new byte[3 * (to - from)];
            return java.util.Arrays.copyOf(buf, encode(text, from, to, buf));
        }

        /** Invalid sequences become U+FFFD, as HF's decoder does (String::from_utf8_lossy). */
        static String decode(byte[] bytes, int length) {
            return new String(bytes, 0, length, StandardCharsets.UTF_8);
        }
    }
}
