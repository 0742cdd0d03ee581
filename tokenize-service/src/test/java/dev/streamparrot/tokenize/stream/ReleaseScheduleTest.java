package dev.streamparrot.tokenize.stream;

import dev.streamparrot.schemas.TokenizerActivation;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class ReleaseScheduleTest {
    static ReleaseCatalog.Entry activation(long offset, String id, long fromPartition0) {
        return new ReleaseCatalog.Entry(offset, new TokenizerActivation(id, Map.of("0", fromPartition0), "test", Instant.EPOCH));
    }

    @Test
    void eachOffsetGetsTheLatestActivationThatAppliesToIt() {
        ReleaseSchedule schedule = ReleaseSchedule.EMPTY.update(0, 0, List.of(activation(0, "A", 0), activation(1, "B", 100)));
        assertEquals(Optional.of("A"), schedule.releaseAt(0));
        assertEquals(Optional.of("A"), schedule.releaseAt(99));
        assertEquals(Optional.of("B"), schedule.releaseAt(100));
        // activating A again later: a third switch, not a rewrite of the first
        schedule = schedule.update(0, 150, List.of(activation(0, "A", 0), activation(1, "B", 100), activation(2, "A", 200)));
        assertEquals(Optional.of("B"), schedule.releaseAt(199));
        assertEquals(Optional.of("A"), schedule.releaseAt(200));
    }

    @Test
    void anActivationSeenLateAppliesFromTheCurrentOffsetAndTheDecisionSurvivesARestart() {
        ReleaseSchedule schedule = ReleaseSchedule.EMPTY.update(0, 0, List.of(activation(0, "A", 0)));
        // offsets 100..104 were encoded with A before B (from 100) could be read
        ReleaseSchedule late = schedule.update(0, 105, List.of(activation(0, "A", 0), activation(1, "B", 100)));
        assertEquals(Optional.of("A"), late.releaseAt(104));
        assertEquals(Optional.of("B"), late.releaseAt(105));
        ReleaseSchedule restored = ReleaseSchedule.decode(late.encode());
        assertEquals(late, restored);
        assertSame(restored, restored.update(0, 104, List.of(activation(0, "A", 0), activation(1, "B", 100))),
                "a replay after the restart changes nothing: offset 104 is still A's");
        assertEquals(Optional.of("A"), restored.releaseAt(104));
    }

    @Test
    void nothingAppliesBeforeTheFirstActivation() {
        assertEquals(Optional.empty(), ReleaseSchedule.EMPTY.releaseAt(0));
        ReleaseSchedule schedule = ReleaseSchedule.EMPTY.update(3, 10, List.of(activation(0, "A", 50)));
        assertEquals(Optional.of("A"), schedule.releaseAt(10), "partition 3 is absent from fromOffsets: from the current offset");
        assertEquals(Optional.empty(), schedule.releaseAt(9));
        schedule = ReleaseSchedule.EMPTY.update(3, 10, List.of(new ReleaseCatalog.Entry(0,
                new TokenizerActivation("A", Map.of("3", 50L), "test", Instant.EPOCH))));
        assertEquals(Optional.empty(), schedule.releaseAt(49));
        assertEquals(Optional.of("A"), schedule.releaseAt(50));
    }
}
