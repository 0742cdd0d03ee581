package dev.streamparrot.ingest;

import dev.streamparrot.ingest.pipeline.IngestStats;

import java.io.PrintStream;
import java.util.function.Supplier;

/** Ingest's figures (files/s, MB/s, accepted/rejected) on the project's one progress bar. */
final class ProgressBar {
    private final dev.streamparrot.tokenizer.ProgressBar bar;
    private final Supplier<IngestStats> stats;
    private final long start = System.nanoTime();

    ProgressBar(PrintStream err, Supplier<IngestStats> stats) {
        this.bar = new dev.streamparrot.tokenizer.ProgressBar(err);
        this.stats = stats;
    }

    /** Called for every file; cheap unless it is time to redraw. */
    void tick() {
        IngestStats s = stats.get();
        bar.update("files", s.files(), 0, () -> detail(s));
    }

    void finish() {
        tick();
        bar.finish();
    }

    private String detail(IngestStats s) {
        double seconds = Math.max((System.nanoTime() - start) / 1e9, 1e-9);
        return String.format("%,.1f MB  %,.2f MB/s  accepted %,d  rejected %,d",
                s.bytes() / 1e6, s.bytes() / 1e6 / seconds, s.accepted(), s.rejectedTotal());
    }
}
