package dev.streamparrot.ingest.filter;

import dev.streamparrot.ingest.file.Decision;
import dev.streamparrot.ingest.file.RejectReason;

import java.util.List;
import java.util.Locale;

/**
 * Drops, with probability {@code dropProbability}, configuration files and unit tests: those that say so
 * in their header, or where "config" or "test" occurs more than {@code coefficient} × (number of '\n') times.
 */
public record ConfigOrTestFilter(int scanLines, double coefficient, double dropProbability) implements FileFilter {
    private static final List<String> KEYWORDS = List.of("unit tests", "test file", "configuration file");

    @Override public RejectReason reason() { return RejectReason.CONFIG_OR_TEST; }

    /** Whether the file looks like config or test, before the coin flip. */
    public String evidence(DecodedFile file) {
        String keyword = Keywords.inFirstLines(file.lines(), scanLines, KEYWORDS);
        if (keyword != null) return "'" + keyword + "' in header";
        int newlines = Keywords.count(file.text(), "\n");
        int threshold = (int) (coefficient * newlines);
        int config = 0;
        int test = 0;
        for (String line : file.lines()) {
            String lower = line.toLowerCase(Locale.ROOT);
            config += Keywords.count(lower, "config");
            test += Keywords.count(lower, "test");
            if (config > threshold || test > threshold) {
                return "config/test mentioned more than " + threshold + " times";
            }
        }
        return null;
    }

    @Override
    public Decision check(DecodedFile file) {
        String evidence = evidence(file);
        if (evidence != null && DropDice.drop(file.contentHash(), "config_or_test", dropProbability)) {
            return Decision.reject(reason(), evidence);
        }
        return Decision.accept();
    }
}
