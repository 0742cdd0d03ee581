package dev.streamparrot.ingest.filter;

import dev.streamparrot.ingest.file.Decision;
import dev.streamparrot.ingest.file.RejectReason;

/** Drops files where fewer than {@code min} of the characters are alphanumeric: data tables, ASCII art, hex dumps. */
public record AlphanumericFractionFilter(double min) implements FileFilter {
    @Override public RejectReason reason() { return RejectReason.ALPHANUMERIC_FRACTION; }

    @Override
    public Decision check(DecodedFile file) {
        String text = file.text();
        long chars = 0;
        long alnum = 0;
        for (int i = 0; i < text.length(); ) {
            char c = text.charAt(i);
            chars++;
            if (c < 0x80) {                  // ASCII fast path
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) alnum++;
                i++;
            } else {
                int cp = text.codePointAt(i);
                if (isPythonAlnum(cp)) alnum++;
                i += Character.charCount(cp);
            }
        }
        if (chars == 0) return Decision.accept();
        double fraction = (double) alnum / chars;
        return fraction < min
                ? Decision.reject(reason(), String.format("alphanumeric fraction %.3f < %s", fraction, min))
                : Decision.accept();
    }

    /** Python's str.isalnum(): letters, digits, and the other numeric categories (Nl, No) too. */
    static boolean isPythonAlnum(int cp) {
        if (Character.isLetterOrDigit(cp)) return true;
        int type = Character.getType(cp);
        return type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
    }
}
