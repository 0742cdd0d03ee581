package dev.streamparrot.inference.humaneval;

import java.io.PrintStream;

/** A one-line progress report on stderr, redrawn in place: count, percentage, rate and ETA. */
public final class ProgressBar {
    private final String label;
    private final long total;
    private final PrintStream out;
    private final long start = System.nanoTime();
    private long done;
    private long lastDraw;

    public ProgressBar(String label, long total) {
        this(label, total, System.err);
    }

    ProgressBar(String label, long total, PrintStream out) {
        this.label = label;
        this.total = total;
        this.out = out;
    }

    public synchronized void step() {
        done++;
        long now = System.nanoTime();
        if (now - lastDraw > 100_000_000L || done == total) {
            lastDraw = now;
            draw(now);
        }
    }

    public synchronized void finish() {
        draw(System.nanoTime());
        out.println();
    }

    private void draw(long now) {
        double seconds = Math.max((now - start) / 1e9, 1e-9);
        double rate = done / seconds;
        long eta = rate > 0 ? Math.round((total - done) / rate) : 0;
        out.printf("\r%s %d/%d (%d%%) %.1f/s ETA %d:%02d ", label, done, total, total == 0 ? 100 : done * 100 / total,
                rate, eta / 60, eta % 60);
        out.flush();
    }
}
