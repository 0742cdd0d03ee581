package dev.streamparrot.ingest.file;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * CodeParrot's exact-duplicate key: MD5 (hex) of the content with all whitespace removed, so files that
 * differ only in indentation, blank lines or line endings count as the same file.
 */
public final class ContentHash {
    private ContentHash() {}

    public static String of(String content) {
        char[] squeezed = new char[content.length()];
        int n = 0;
        boolean ascii = true;
        for (int i = 0; i < content.length(); i++) {
            char c = content.charAt(i);
            if (c > ' ' && c < 0x7f) {
                squeezed[n++] = c;           // the common case: visible ASCII
            } else if (!isPythonWhitespace(c)) {
                squeezed[n++] = c;
                ascii &= c < 0x80;
            }
        }
        byte[] bytes;
        if (ascii) {
            bytes = new byte[n];
            for (int i = 0; i < n; i++) bytes[i] = (byte) squeezed[i];
        } else {
            bytes = new String(squeezed, 0, n).getBytes(StandardCharsets.UTF_8);
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has MD5", e);
        }
    }

    /** Python's {@code re.sub(r"\s+", "", s)} on str: Unicode whitespace plus the ASCII separators 0x1c-0x1f. */
    static boolean isPythonWhitespace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }
}
