package dev.streamparrot.ingest.filter;

import dev.streamparrot.ingest.file.Decision;
import dev.streamparrot.ingest.file.RejectReason;

/** Drops files using '=' at most {@code minimum} times: too little logic to teach a code model anything. */
public record FewAssignmentsFilter(int minimum) implements FileFilter {
    @Override public RejectReason reason() { return RejectReason.FEW_ASSIGNMENTS; }

    @Override
    public Decision check(DecodedFile file) {
        int count = 0;
        for (String line : file.lines()) {
            count += Keywords.count(line, "=");
            if (count > minimum) return Decision.accept();
        }
        return Decision.reject(reason(), count + " '=' <= " + minimum);
    }
}
