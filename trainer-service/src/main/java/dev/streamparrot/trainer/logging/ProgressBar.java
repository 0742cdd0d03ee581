package dev.streamparrot.trainer.logging;

import dev.streamparrot.model.TrainStep;
import dev.streamparrot.trainer.loop.TrainingListener;

import java.io.PrintStream;
import java.util.Locale;

/** The CLI's progress line on stderr: carriage return, bar, updates per second, tokens/s and ETA. */
public final class ProgressBar implements TrainingListener {
    private static final int WIDTH = 30;

    private final PrintStream err;
    private final long maxSteps;
    private final long tokensPerUpdate;
    private long firstStep = -1, startNanos, lastDraw;

    public ProgressBar(PrintStream err, long maxSteps, long tokensPerUpdate) {
        this.err = err;
        this.maxSteps = maxSteps;
        this.tokensPerUpdate = tokensPerUpdate;
    }

    @Override
    public void updated(TrainStep.Result r, double tokensPerSecond) {
        long now = System.nanoTime();
        if (firstStep < 0) {
            firstStep = r.step() - 1;
            startNanos = now;
        }
        if (now - lastDraw < 200_000_000L && r.step() < maxSteps) return;
        lastDraw = now;
        double seconds = (now - startNanos) / 1e9;
        double rate = (r.step() - firstStep) / Math.max(seconds, 1e-9); // updates per second since this process began
        int filled = (int) (WIDTH * r.step() / maxSteps);
        long eta = (long) ((maxSteps - r.step()) / Math.max(rate, 1e-9));
        err.printf(Locale.ROOT, "\rstep %d/%d [%s%s] %.2f updates/s | %.0f tokens/s | loss %.3f | ETA %dh%02dm%02ds ",
                r.step(), maxSteps, "#".repeat(filled), "-".repeat(WIDTH - filled), rate, rate * tokensPerUpdate, r.loss(),
                eta / 3600, eta / 60 % 60, eta % 60);
        err.flush();
    }

    @Override
    public void state(String state, long step) {
        if (firstStep >= 0 && (state.equals("finished") || state.equals("stopped"))) err.println();
    }
}
