package dev.streamparrot.trainer.data;

/** What the dataset does when it has read everything the topic holds. */
public enum AtEnd {
    /** Keep going on chunks as they arrive (streaming); meanwhile draw from what the shuffle buffer holds. */
    WAIT,
    /** Start over from the beginning of every partition (another epoch over the same chunks). */
    NEW_EPOCH;

    /** Parses the config spelling: {@code wait} or {@code new-epoch}. */
    public static AtEnd parse(String s) {
        return switch (s.trim().toLowerCase().replace('_', '-')) {
            case "wait" -> WAIT;
            case "new-epoch" -> NEW_EPOCH;
            default -> throw new IllegalArgumentException("at-end must be wait or new-epoch, got " + s);
        };
    }

    public String spelling() {
        return this == WAIT ? "wait" : "new-epoch";
    }
}
