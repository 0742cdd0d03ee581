package dev.streamparrot.ingest.filter;

import dev.streamparrot.ingest.file.Decision;
import dev.streamparrot.ingest.file.RejectReason;

import java.util.List;
import java.util.Locale;

/** Drops, with probability {@code dropProbability}, files with no function, class, for or while: mostly data or constants. */
public record NoKeywordsFilter(double dropProbability) implements FileFilter {
    private static final List<String> KEYWORDS = List.of("def ", "class ", "for ", "while ");

    @Override public RejectReason reason() { return RejectReason.NO_KEYWORDS; }

    public boolean hasNoKeywords(DecodedFile file) {
        for (String line : file.lines()) {
            String lower = line.toLowerCase(Locale.ROOT);
            for (String keyword : KEYWORDS) if (lower.contains(keyword)) return false;
        }
        return true;
    }

    @Override
    public Decision check(DecodedFile file) {
        if (hasNoKeywords(file) && DropDice.drop(file.contentHash(), "has_no_keywords", dropProbability)) {
            return Decision.reject(reason(), "no def/class/for/while");
        }
        return Decision.accept();
    }
}
