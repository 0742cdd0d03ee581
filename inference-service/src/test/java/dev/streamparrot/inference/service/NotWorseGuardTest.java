package dev.streamparrot.inference.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamparrot.schemas.CheckpointAnnouncement;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NotWorseGuardTest {

    private static CheckpointAnnouncement step(long step, Double evalLoss) {
        return CheckpointAnnouncement.newBuilder().setRunId("r").setStep(step).setTokenizerId("t").setEvalLoss(evalLoss)
                .setLocation("file:///c").setSha256("s").setCreatedAt(Instant.EPOCH).build();
    }

    @Test
    void aHigherEvalLossIsRefusedAnEqualOrLowerOneServed() {
        assertTrue(NotWorseGuard.refusal(step(20, 2.5), step(10, 2.0)).orElseThrow().contains("worse than the served step 10"));
        assertEquals(Optional.empty(), NotWorseGuard.refusal(step(20, 2.0), step(10, 2.0)));
        assertEquals(Optional.empty(), NotWorseGuard.refusal(step(20, 1.9), step(10, 2.0)));
    }

    @Test
    void withoutAnEvalLossToCompareTheServedSideAllowsAndTheCandidateSideRefuses() {
        assertEquals(Optional.empty(), NotWorseGuard.refusal(step(20, 9.0), null), "nothing served from an announcement yet");
        assertEquals(Optional.empty(), NotWorseGuard.refusal(step(20, 9.0), step(10, null)));
        assertTrue(NotWorseGuard.refusal(step(20, null), step(10, 2.0)).isPresent());
    }
}
