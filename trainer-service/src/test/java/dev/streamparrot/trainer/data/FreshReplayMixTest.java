package dev.streamparrot.trainer.data;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FreshReplayMixTest {
    static final Map<Integer, Long> ZERO = Map.of(0, 0L, 1, 0L, 2, 0L);

    record Run(List<FreshReplayMix.Pick> picks, FreshReplayMix.State after) {}

    static Run picks(FreshReplayMix mix, FreshReplayMix.State s, Map<Integer, Long> heads, int n) {
        List<FreshReplayMix.Pick> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            FreshReplayMix.Next next = mix.next(s, ZERO, heads, true);
            out.add(next.pick());
            s = next.after();
        }
        return new Run(out, s);
    }

    @Test
    void freshChunksComeInLogOrderAtTheConfiguredShareAndReplayOnlyTrainedHistory() {
        FreshReplayMix mix = new FreshReplayMix(List.of(0, 1, 2), 0.5);
        // 10 trained chunks of history, then 6 fresh ones arrive
        FreshReplayMix.State s = new FreshReplayMix.State(0, 7, 0, Map.of(0, 4L, 1, 3L, 2, 3L));
        Run run = picks(mix, s, Map.of(0, 6L, 1, 5L, 2, 5L), 12);
        List<FreshReplayMix.Pick> fresh = run.picks().stream().filter(p -> p.kind() == FreshReplayMix.Kind.FRESH).toList();
        assertEquals(List.of(new FreshReplayMix.Pick(FreshReplayMix.Kind.FRESH, 0, 4), new FreshReplayMix.Pick(FreshReplayMix.Kind.FRESH, 1, 3),
                new FreshReplayMix.Pick(FreshReplayMix.Kind.FRESH, 2, 3), new FreshReplayMix.Pick(FreshReplayMix.Kind.FRESH, 0, 5),
                new FreshReplayMix.Pick(FreshReplayMix.Kind.FRESH, 1, 4), new FreshReplayMix.Pick(FreshReplayMix.Kind.FRESH, 2, 4)),
                fresh, "every second pick, partitions in turn, offsets in order");
        for (int i = 0; i < 12; i++) {
            assertEquals(i % 2 == 1 ? FreshReplayMix.Kind.FRESH : FreshReplayMix.Kind.REPLAY, run.picks().get(i).kind(), "pick " + i);
        }
        assertEquals(Map.of(0, 6L, 1, 5L, 2, 5L), run.after().frontier(), "the frontier: the next offset never trained");
        // replays are of chunks already trained when they were picked
        Map<Integer, Long> frontier = new java.util.HashMap<>(s.frontier());
        for (FreshReplayMix.Pick p : run.picks()) {
            if (p.kind() == FreshReplayMix.Kind.FRESH) frontier.put(p.partition(), p.offset() + 1);
            else assertTrue(p.offset() < frontier.get(p.partition()), p + " was trained before");
        }
    }

    @Test
    void withNothingFreshItReplaysAndWithNothingAtAllThereIsNoPick() {
        FreshReplayMix mix = new FreshReplayMix(List.of(0, 1, 2), 0.5);
        FreshReplayMix.State empty = mix.start(1, ZERO);
        assertNull(mix.next(empty, ZERO, ZERO, true), "nothing trained, nothing fresh: wait");
        Run first = picks(mix, empty, Map.of(0, 1L, 1, 1L, 2, 0L), 2);
        assertEquals(FreshReplayMix.Kind.FRESH, first.picks().get(0).kind(), "a replay slot takes fresh while nothing is trained");
        Run replay = picks(mix, first.after(), Map.of(0, 1L, 1, 1L, 2, 0L), 40);
        assertTrue(replay.picks().stream().allMatch(p -> p.kind() == FreshReplayMix.Kind.REPLAY && p.offset() == 0 && p.partition() < 2));
        assertTrue(replay.picks().stream().anyMatch(p -> p.partition() == 0) && replay.picks().stream().anyMatch(p -> p.partition() == 1));
        assertNull(mix.next(first.after(), ZERO, Map.of(0, 1L, 1, 1L, 2, 0L), false), "no usable history and nothing fresh");
        // retention: records below the beginning are gone and are not replayed
        FreshReplayMix.State trained = new FreshReplayMix.State(1, 3, 0, Map.of(0, 10L, 1, 0L, 2, 0L));
        for (int i = 0; i < 30; i++) {
            FreshReplayMix.Next n = mix.next(trained, Map.of(0, 8L, 1, 0L, 2, 0L), Map.of(0, 10L, 1, 0L, 2, 0L), true);
            assertTrue(n.pick().offset() >= 8, n.toString());
            trained = n.after();
        }
    }

    @Test
    void picksAreAFunctionOfTheStateAndSeed() {
        FreshReplayMix mix = new FreshReplayMix(List.of(0, 1), 0.25);
        FreshReplayMix.State s = new FreshReplayMix.State(0, 11, 0, Map.of(0, 50L, 1, 50L));
        Map<Integer, Long> heads = Map.of(0, 60L, 1, 60L);
        Run a = picks(mix, s, heads, 40), b = picks(mix, s, heads, 40);
        assertEquals(a, b);
        Run resumed = picks(mix, picks(mix, s, heads, 17).after(), heads, 23);
        assertEquals(a.picks().subList(17, 40), resumed.picks(), "continuing from a saved state");
        Run otherSeed = picks(mix, new FreshReplayMix.State(0, 12, 0, s.frontier()), heads, 40);
        assertNotEquals(a.picks(), otherSeed.picks());
        assertEquals(10, a.picks().stream().filter(p -> p.kind() == FreshReplayMix.Kind.FRESH).count(), "a quarter fresh");
    }

    @Test
    void aBacklogIsTrainedWithinTheBoundTheShareGives() {
        for (double f : new double[] {0.125, 0.3, 0.5, 2.0 / 3, 1.0}) {
            int batch = 8, backlog = 37;
            FreshReplayMix mix = new FreshReplayMix(List.of(0, 1, 2), f);
            FreshReplayMix.State s = new FreshReplayMix.State(5, 1, 0, Map.of(0, 20L, 1, 20L, 2, 20L)); // some picks done already
            Map<Integer, Long> heads = Map.of(0, 20L + 13, 1, 20L + 12, 2, 20L + 12);
            long bound = (long) Math.ceil(backlog / Math.floor(batch * f));
            Run run = picks(mix, s, heads, (int) bound * batch);
            assertEquals(heads, run.after().frontier(), "fresh fraction " + f + ": all " + backlog + " within " + bound + " batches");
        }
        assertThrows(IllegalArgumentException.class, () -> new FreshReplayMix(List.of(0), 0));
    }
}
