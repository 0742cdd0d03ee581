package dev.streamparrot.inference.service;

import dev.streamparrot.schemas.CheckpointAnnouncement;
import java.util.Optional;

/**
 * {@code streamparrot.inference.serve-only-not-worse}: a new checkpoint replaces the served one only if its
 * eval loss on the valid split is not higher, so one bad step does not go live. Judged by eval loss (the
 * announcement carries it): HumanEval pass@1 of a model this small is ~0 and too noisy to rank steps.
 */
public final class NotWorseGuard {
    private NotWorseGuard() {}

    /**
     * Why {@code candidate} must not replace {@code served}, or empty when it may. Anything may replace a
     * model that came without an announcement or an eval loss; a candidate without an eval loss cannot be
     * shown not to be worse.
     */
    public static Optional<String> refusal(CheckpointAnnouncement candidate, CheckpointAnnouncement served) {
        if (served == null || served.getEvalLoss() == null) return Optional.empty();
        if (candidate.getEvalLoss() == null) {
            return Optional.of("step " + candidate.getStep() + " has no eval loss to compare with the served step "
                    + served.getStep() + "'s " + served.getEvalLoss());
        }
        if (candidate.getEvalLoss() > served.getEvalLoss()) {
            return Optional.of("step " + candidate.getStep() + "'s eval loss " + candidate.getEvalLoss()
                    + " is worse than the served step " + served.getStep() + "'s " + served.getEvalLoss());
        }
        return Optional.empty();
    }
}
