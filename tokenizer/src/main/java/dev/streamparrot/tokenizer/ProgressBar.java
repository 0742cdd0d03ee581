package dev.streamparrot.tokenizer;

import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * The project's one progress bar: a line on a terminal stream, redrawn with a carriage return at most five
 * times a second: phase, bar, count, rate and ETA (or, without a total, count, rate and elapsed time), then
 * an optional detail (MB/s, loss, ...). A new phase starts a new line. Every command-line tool uses it
 * (tokenizer training, ingest, the trainer CLI, HumanEval); it lives here because {@code tokenizer} is the
 * plain library they can all reach without Kafka.
 */
public final class ProgressBar implements BpeTrainer.Progress {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 200_000_000L;
    private final PrintStream out;
    private String phase;
    private long phaseStart, doneAtStart, lastDraw;
    private long done, total;
    private Supplier<String> detail;
    private boolean drawn;

    public ProgressBar(PrintStream out) {
        this.out = out;
    }

    @Override
    public void update(String phase, long done, long total) {
        update(phase, done, total, null);
    }

    /**
     * Reports progress; cheap unless it is time to redraw.
     *
     * @param total  0 when unknown (no bar, no ETA)
     * @param detail what to print after the figures, asked only when the line is redrawn; null for nothing
     */
    public synchronized void update(String phase, long done, long total, Supplier<String> detail) {
        long now = System.nanoTime();
        boolean newPhase = !phase.equals(this.phase);
        if (newPhase) {
            if (this.phase != null) out.println();
            this.phase = phase;
            phaseStart = now;
            // A phase's first report may count work done before it began (a resumed run): rates count from here.
            doneAtStart = done;
        }
        this.done = done;
        this.total = total;
        this.detail = detail;
        if (!newPhase && now - lastDraw < REDRAW_NANOS && done != total) {
            drawn = false;
            return;
        }
        draw(now);
    }

    /** Draws the last report if it was skipped, and ends the line. */
    public synchronized void finish() {
        if (phase == null) return;
        if (!drawn) draw(System.nanoTime());
        out.println();
        phase = null;
    }

    private void draw(long now) {
        lastDraw = now;
        drawn = true;
        double seconds = (now - phaseStart) / 1e9;
        // no rate until the clock has run a little: the first figures would be noise
        double rate = seconds >= 0.5 ? (done - doneAtStart) / seconds : 0;
        String perSecond = rate > 0 ? String.format("%,.1f/s", rate) : "?/s";
        StringBuilder line = new StringBuilder("\r").append(String.format("%-15s", phase));
        if (total > 0) {
            int filled = (int) (WIDTH * Math.min(1.0, (double) done / total));
            line.append(" [").append("#".repeat(filled)).append(" ".repeat(WIDTH - filled)).append("] ");
            line.append(String.format("%,d/%,d  %s  ETA %s", done, total, perSecond, rate > 0 ? duration((total - done) / rate) : "?"));
        } else {
            line.append(String.format(" %,d  %s  %s", done, perSecond, duration(seconds)));
        }
        if (detail != null) line.append("  ").append(detail.get());
        out.print(line.append("   "));
        out.flush();
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
    }
}
