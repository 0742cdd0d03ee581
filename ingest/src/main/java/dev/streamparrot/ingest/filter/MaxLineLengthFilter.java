package dev.streamparrot.ingest.filter;

import dev.streamparrot.ingest.file.Decision;
import dev.streamparrot.ingest.file.RejectReason;

/** Drops files with any line longer than {@code max} characters: minified code, embedded data. */
public record MaxLineLengthFilter(int max) implements FileFilter {
    @Override public RejectReason reason() { return RejectReason.MAX_LINE_LENGTH; }

    @Override
    public Decision check(DecodedFile file) {
        int longest = 0;
        for (String line : file.lines()) longest = Math.max(longest, line.codePointCount(0, line.length()));
        return longest > max ? Decision.reject(reason(), "longest line " + longest + " > " + max) : Decision.accept();
    }
}
