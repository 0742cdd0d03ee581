package dev.streamparrot.trainer.loop;

import dev.streamparrot.model.TrainStep;
import dev.streamparrot.schemas.CheckpointAnnouncement;

import java.util.List;
import java.util.Map;

/** A run's listeners as one: each event goes to every listener, in order. */
final class Listeners implements TrainingListener {
    private final List<TrainingListener> all;

    Listeners(List<TrainingListener> all) {
        this.all = List.copyOf(all);
    }

    @Override
    public void updated(TrainStep.Result result, double tokensPerSecond) {
        all.forEach(l -> l.updated(result, tokensPerSecond));
    }

    @Override
    public void scalars(long step, Map<String, Double> values) {
        all.forEach(l -> l.scalars(step, values));
    }

    @Override
    public void checkpointed(CheckpointAnnouncement announcement) {
        all.forEach(l -> l.checkpointed(announcement));
    }

    @Override
    public void sampled(long step, String text) {
        all.forEach(l -> l.sampled(step, text));
    }

    @Override
    public void state(String state, long step) {
        all.forEach(l -> l.state(state, step));
    }
}
