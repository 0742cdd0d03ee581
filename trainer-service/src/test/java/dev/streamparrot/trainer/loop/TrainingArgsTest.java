package dev.streamparrot.trainer.loop;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingArgsTest {
    @Test
    void anEndlessRunNeedsAScheduleWithoutAnEnd() {
        TrainingArgs endless = TrainingArgs.profile("cpu-tiny").with(Map.of("max-train-steps", "none", "lr-scheduler-type", "wsd",
                "dataset", "fresh-replay", "fresh-fraction", "0.25", "decay-steps", "7"));
        assertTrue(endless.endless());
        assertEquals("none", endless.toMap().get("max_train_steps"));
        assertEquals(endless, TrainingArgs.fromMap(endless.toMap()), "what a checkpoint records reads back");
        assertEquals(7, endless.decaySteps());
        assertEquals(0.25, endless.freshFraction());
        assertFalse(TrainingArgs.profile("cpu-tiny").endless());
        IllegalArgumentException cosine = assertThrows(IllegalArgumentException.class,
                () -> TrainingArgs.profile("cpu-tiny").with(Map.of("max-train-steps", "none")));
        assertTrue(cosine.getMessage().contains("wsd or constant"), cosine.getMessage());
        assertThrows(IllegalArgumentException.class, () -> endless.with(Map.of("decay-steps", "0")));
        assertThrows(IllegalArgumentException.class, () -> endless.with(Map.of("fresh-fraction", "0")));
        assertThrows(IllegalArgumentException.class, () -> endless.with(Map.of("dataset", "newest")));
    }

    @Test
    void argsOfACheckpointWrittenBeforeTheContinuousLearningSettingsStillRead() {
        Map<String, String> old = new java.util.LinkedHashMap<>(TrainingArgs.profile("cpu-small").toMap());
        old.remove("decay_steps");
        old.remove("dataset");
        old.remove("fresh_fraction");
        TrainingArgs read = TrainingArgs.fromMap(old);
        assertEquals(TrainingArgs.EPOCHS, read.dataset());
        assertEquals(2000, read.maxTrainSteps());
    }
}
