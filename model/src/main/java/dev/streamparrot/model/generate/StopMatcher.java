package dev.streamparrot.model.generate;

/**
 * Finds stop sequences in streamed text, also when one spans several tokens. Text that could be
 * the start of a stop sequence is held back until it either completes one (and is dropped) or
 * can no longer do so, so a client never sees a prefix of a stop string (vLLM does the same).
 */
public final class StopMatcher {
    private final StopSequences stop;
    private final StringBuilder text = new StringBuilder();
    private int emitted;
    private boolean stopped;

    public StopMatcher(StopSequences stop) {
        this.stop = stop;
    }

    /** Adds newly decoded text and returns the part that is now safe to show. */
    public String push(String delta) {
        if (stopped) throw new IllegalStateException("already stopped");
        text.append(delta);
        int at = earliestStop();
        if (at >= 0) {
            stopped = true;
            text.setLength(at);
            return release(at);
        }
        return release(text.length() - heldBack());
    }

    /** Releases the held-back tail at the end of generation (it did not turn into a stop sequence). */
    public String flush() {
        return stopped ? "" : release(text.length());
    }

    public boolean stopped() {
        return stopped;
    }

    /** All text released so far. */
    public String text() {
        return text.substring(0, emitted);
    }

    private String release(int upTo) {
        String out = text.substring(emitted, upTo);
        emitted = upTo;
        return out;
    }

    /** Only text not yet released can start a stop sequence: released text never held a prefix of one. */
    private int earliestStop() {
        int best = -1;
        for (String s : stop.strings()) {
            int at = text.indexOf(s, emitted);
            if (at >= 0 && (best < 0 || at < best)) best = at;
        }
        return best;
    }

    /** Length of the longest unreleased suffix that is a proper prefix of some stop sequence. */
    private int heldBack() {
        int longest = 0;
        for (String s : stop.strings()) {
            int max = Math.min(s.length() - 1, text.length() - emitted);
            for (int len = max; len > longest; len--) {
                if (text.substring(text.length() - len).equals(s.substring(0, len))) {
                    longest = len;
                    break;
                }
            }
        }
        return longest;
    }
}
