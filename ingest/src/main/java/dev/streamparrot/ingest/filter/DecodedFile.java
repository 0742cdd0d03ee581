package dev.streamparrot.ingest.filter;

import dev.streamparrot.ingest.file.CandidateFile;
import dev.streamparrot.ingest.file.ContentHash;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A candidate known to be UTF-8 text, with what every text filter needs computed once. */
public record DecodedFile(CandidateFile file, String text, List<String> lines, String contentHash) {

    /** Strict UTF-8 decoding: malformed input is an error, never replaced. */
    public static DecodedFile decode(CandidateFile file) throws CharacterCodingException {
        String text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(file.bytes())).toString();
        return new DecodedFile(file, text, splitLines(text), ContentHash.of(text));
    }

    /**
     * Python's {@code str.splitlines()}: the filters' thresholds were tuned on it, so lines end at
     * \n, \r, \r\n, \v, \f, \x1c-\x1e, \x85, \u2028 and \u2029, and a trailing break adds no empty line.
     */
    static List<String> splitLines(String s) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (isLineBreak(c)) {
                lines.add(s.substring(start, i));
                i += (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') ? 2 : 1;
                start = i;
            } else {
                i++;
            }
        }
        if (start < s.length()) lines.add(s.substring(start));
        return lines;
    }

    private static boolean isLineBreak(char c) {
        return c == '\n' || c == '\r' || c == '\u000b' || c == '\u000c' || (c >= '\u001c' && c <= '\u001e')
                || c == '\u0085' || c == '\u2028' || c == '\u2029';
    }
}
