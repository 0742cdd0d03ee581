package dev.streamparrot.tokenizer;

import java.io.PrintStream;

/**
 * A one-line progress bar on a terminal stream, redrawn with a carriage return at most five times
 * a second: phase, bar, count, rate and ETA. A new phase starts a new line.
 */
public final class ProgressBar implements BpeTrainer.Progress {
  private static final int WIDTH = 30;
  private final PrintStream out;
  private String phase;
  private long phaseStart, lastDraw;

  public ProgressBar(PrintStream out) {
    this.out = out;
  }

  @Override
  public synchronized void update(String phase, long done, long total) {
    long now = System.nanoTime();
    if (!phase.equals(this.phase)) {
      if (this.phase != null) out.println();
      this.phase = phase;
      phaseStart = now;
    } else if (now - lastDraw < 200_000_000L && done != total) {
      return;
    }
    lastDraw = now;
    double seconds = (now - phaseStart) / 1e9;
    // A phase's first report may count work done before it began: no rate until the clock has run a little.
    double rate = seconds >= 0.5 ? done / seconds : 0;
    String perSecond = rate > 0 ? String.format("%,.0f/s", rate) : "?/s";
    StringBuilder line = new StringBuilder("\r").append(String.format("%-15s", phase));
    if (total > 0) {
      int filled = (int) (WIDTH * Math.min(1.0, (double) done / total));
      line.append(" [").append("#".repeat(filled)).append(" ".repeat(WIDTH - filled)).append("] ");
      line.append(String.format("%,d/%,d  %s  ETA %s", done, total, perSecond, rate > 0 ? duration((total - done) / rate) : "?"));
    } else {
      line.append(String.format(" %,d  %s  %s", done, perSecond, duration(seconds)));
    }
    out.print(line);
    out.flush();
  }

  /** Ends the current line. */
  public synchronized void finish() {
    if (phase != null) out.println();
    phase = null;
  }

  private static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
  }
}
