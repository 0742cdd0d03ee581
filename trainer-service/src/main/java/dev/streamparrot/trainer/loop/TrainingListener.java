package dev.streamparrot.trainer.loop;

import dev.streamparrot.model.TrainStep;
import dev.streamparrot.schemas.CheckpointAnnouncement;

import java.util.Map;

/** What a run reports as it goes: the log, the status endpoint and the metrics listen. */
public interface TrainingListener {
    /** After every optimizer update. */
    default void updated(TrainStep.Result result, double tokensPerSecond) {}

    /** Every log_interval updates and after each evaluation: TensorBoard tags → values at this step. */
    default void scalars(long step, Map<String, Double> values) {}

    /** After a checkpoint is written and announced. */
    default void checkpointed(CheckpointAnnouncement announcement) {}

    /** At each checkpoint: the model's greedy completion of a fixed prompt ({@code CheckpointSample}), prompt included. */
    default void sampled(long step, String text) {}

    /** Training began (fresh or resumed at {@code step}) or changed phase; {@code state} says which, for people. */
    default void state(String state, long step) {}
}
