package dev.streamparrot.trainer.logging;

import dev.streamparrot.model.TfEventsWriter;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.trainer.loop.TrainingListener;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** A run's log: TensorBoard event files in logDir, and one line per logging interval on a stream. */
public final class TrainingLog implements TrainingListener, AutoCloseable {
    private final TfEventsWriter events;
    private final PrintStream lines;
    private final long maxSteps;

    public TrainingLog(Path logDir, PrintStream lines, long maxSteps) {
        this.events = new TfEventsWriter(logDir);
        this.lines = lines;
        this.maxSteps = maxSteps;
    }

    public Path eventFile() {
        return events.file();
    }

    @Override
    public void scalars(long step, Map<String, Double> values) {
        events.scalars(step, values);
        lines.println(line(step, maxSteps, values));
    }

    @Override
    public void checkpointed(CheckpointAnnouncement a) {
        lines.printf(Locale.ROOT, "step %d | checkpoint %s%n", a.getStep(), a.getLocation());
    }

    /** The checkpoint's sample in TensorBoard's Text tab, as code (TensorBoard renders text as markdown). */
    @Override
    public void sampled(long step, String text) {
        events.text(step, "sample", "```python\n" + text + "\n```");
    }

    @Override
    public void state(String state, long step) {
        // the switches between training and evaluating are visible from the scalars already
        if (!state.equals("training") && !state.equals("evaluating")) lines.printf(Locale.ROOT, "step %d | %s%n", step, state);
    }

    /** E.g. {@code step 100/1000 | loss/train 3.2100 | lr 1.00e-03 | samples 800 | tokens/s 1234}; no /max when endless (0). */
    static String line(long step, long maxSteps, Map<String, Double> values) {
        return "step " + step + (maxSteps > 0 ? "/" + maxSteps : "") + " | " + values.entrySet().stream()
                .map(e -> e.getKey() + " " + format(e.getKey(), e.getValue()))
                .collect(Collectors.joining(" | "));
    }

    private static String format(String tag, double v) {
        return switch (tag) {
            case "lr" -> String.format(Locale.ROOT, "%.2e", v);
            case "samples", "tokens/s" -> String.format(Locale.ROOT, "%.0f", v);
            default -> String.format(Locale.ROOT, "%.4f", v);
        };
    }

    @Override
    public void close() {
        events.close();
    }
}
