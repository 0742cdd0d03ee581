package dev.streamparrot.ingest;

import dev.streamparrot.ingest.pipeline.IngestStats;

import java.io.PrintStream;
import java.util.function.Supplier;

/** One carriage-return line on stderr, redrawn at most five times a second: files/s, MB/s, accepted/rejected. */
final class ProgressBar {
    private static final long REDRAW_NANOS = 200_000_000L;
    private final PrintStream err;
    private final Supplier<IngestStats> stats;
    private final long start = System.nanoTime();
    private long lastDraw;

    ProgressBar(PrintStream err, Supplier<IngestStats> stats) {
        this.err = err;
        this.stats = stats;
    }

    /** Called for every file; cheap unless it is time to redraw. */
    void tick() {
        long now = System.nanoTime();
        if (now - lastDraw < REDRAW_NANOS) return;
        synchronized (this) {
            if (now - lastDraw < REDRAW_NANOS) return;
            lastDraw = now;
            draw(now);
        }
    }

    synchronized void finish() {
        draw(System.nanoTime());
        err.println();
    }

    private void draw(long now) {
        IngestStats s = stats.get();
        double seconds = Math.max((now - start) / 1e9, 1e-9);
        err.printf("\r%,d files  %,.0f files/s  %,.1f MB  %,.2f MB/s  accepted %,d  rejected %,d   ",
                s.files(), s.files() / seconds, s.bytes() / 1e6, s.bytes() / 1e6 / seconds, s.accepted(), s.rejectedTotal());
        err.flush();
    }
}
