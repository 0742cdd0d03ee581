package dev.streamparrot.trainer.logging;

import dev.streamparrot.model.TrainStep;
import dev.streamparrot.tokenizer.ProgressBar;
import dev.streamparrot.trainer.loop.TrainingListener;

import java.io.PrintStream;
import java.util.Locale;

/** The CLI's progress line: updates out of max_train_steps on the project's one progress bar, with tokens/s and loss. */
public final class TrainingProgress implements TrainingListener {
    private final ProgressBar bar;
    private final long maxSteps;

    public TrainingProgress(PrintStream err, long maxSteps) {
        this.bar = new ProgressBar(err);
        this.maxSteps = maxSteps;
    }

    @Override
    public void updated(TrainStep.Result r, double tokensPerSecond) {
        bar.update("step", r.step(), maxSteps,
                () -> String.format(Locale.ROOT, "%.0f tokens/s | loss %.3f", tokensPerSecond, r.loss()));
    }

    @Override
    public void state(String state, long step) {
        if (state.equals("finished") || state.equals("stopped")) bar.finish();
    }
}
