package dev.streamparrot.ingest.filter;

import dev.streamparrot.ingest.file.Decision;
import dev.streamparrot.ingest.file.RejectReason;

/** Drops files whose mean line length exceeds {@code max} characters. */
public record MeanLineLengthFilter(double max) implements FileFilter {
    @Override public RejectReason reason() { return RejectReason.MEAN_LINE_LENGTH; }

    @Override
    public Decision check(DecodedFile file) {
        if (file.lines().isEmpty()) return Decision.accept();
        long total = 0;
        for (String line : file.lines()) total += line.codePointCount(0, line.length());
        double mean = (double) total / file.lines().size();
        return mean > max ? Decision.reject(reason(), String.format("mean line %.1f > %s", mean, max)) : Decision.accept();
    }
}
