package dev.streamparrot.ingest.file;

import java.util.Objects;

/** What the pipeline decided for one file. {@code reason} and {@code detail} are set only when rejected. */
public record Decision(Outcome outcome, RejectReason reason, String detail) {
    public enum Outcome { ACCEPTED, REJECTED, SKIPPED }

    private static final Decision ACCEPTED = new Decision(Outcome.ACCEPTED, null, null);
    private static final Decision SKIPPED = new Decision(Outcome.SKIPPED, null, null);

    public Decision {
        if ((outcome == Outcome.REJECTED) != (reason != null)) {
            throw new IllegalArgumentException("a reason goes with, and only with, a rejection");
        }
    }

    public static Decision accept() { return ACCEPTED; }

    /** Not a candidate at all (wrong extension): neither accepted nor counted as rejected. */
    public static Decision skip() { return SKIPPED; }

    public static Decision reject(RejectReason reason, String detail) {
        return new Decision(Outcome.REJECTED, Objects.requireNonNull(reason), detail);
    }

    public boolean accepted() { return outcome == Outcome.ACCEPTED; }

    public boolean rejected() { return outcome == Outcome.REJECTED; }
}
