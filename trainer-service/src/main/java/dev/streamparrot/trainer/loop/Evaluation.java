package dev.streamparrot.trainer.loop;

/** An evaluation's result: mean loss over the validation sequences read; loss NaN when none was usable. */
public record Evaluation(double loss, double perplexity, long sequences) {
    /** Whether any validation sequence was read, so that loss and perplexity mean something. */
    public boolean measured() {
        return sequences > 0;
    }
}
