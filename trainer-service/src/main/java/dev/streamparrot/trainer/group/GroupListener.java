package dev.streamparrot.trainer.group;

import dev.streamparrot.trainer.data.Sample;
import dev.streamparrot.trainer.loop.TrainingListener;

import java.util.List;

/** What a group member reports beyond a trainer's figures (tests listen to check the protocol). */
public interface GroupListener extends TrainingListener {
    /** A round's inner steps begin; {@code params} are the model's parameters right before the first step. */
    default void roundStarted(long round, float[] params) {}

    /** A contribution was sent; {@code trained} are the chunks its inner steps used, in order. */
    default void contributed(String contributionId, long round, List<Sample> trained) {}
}
