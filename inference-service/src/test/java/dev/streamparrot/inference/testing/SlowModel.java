package dev.streamparrot.inference.testing;

import dev.streamparrot.model.generate.LanguageModel;
import java.util.List;

/** Sleeps on every step, so a test can act while a request is still generating. */
public final class SlowModel implements LanguageModel {
    private final FakeModel inner;
    private final long millisPerStep;

    public SlowModel(FakeModel inner, long millisPerStep) {
        this.inner = inner;
        this.millisPerStep = millisPerStep;
    }

    /** Tokens appended so far (steps taken). */
    public int appended() {
        return inner.steps;
    }

    @Override
    public int contextLength() {
        return inner.contextLength();
    }

    @Override
    public int vocabSize() {
        return inner.vocabSize();
    }

    @Override
    public Batch start(List<int[]> prompts) {
        Batch batch = inner.start(prompts);
        return new Batch() {
            @Override
            public float[][] nextLogits() {
                return batch.nextLogits();
            }

            @Override
            public void append(int[] tokenPerRow) {
                try {
                    Thread.sleep(millisPerStep);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                batch.append(tokenPerRow);
            }

            @Override
            public void close() {
                batch.close();
            }
        };
    }
}
