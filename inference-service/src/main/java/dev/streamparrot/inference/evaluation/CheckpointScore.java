package dev.streamparrot.inference.evaluation;

import dev.streamparrot.inference.humaneval.HumanEvalRunner;
import dev.streamparrot.model.Checkpoint;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.schemas.CheckpointEvaluation;
import java.time.Instant;

/**
 * One checkpoint's evaluation record: the eval loss and perplexity on the valid split that the trainer
 * measured for it (the announcement carries them; measuring them again here would run the same forward
 * passes over the same chunks), and pass@1 on a fixed HumanEval subset that this service runs in its sandbox.
 */
public final class CheckpointScore {
    private CheckpointScore() {}

    /** @param subset how many of HumanEval's first problems were asked; {@code report} says which were scored */
    public static CheckpointEvaluation of(CheckpointAnnouncement a, int subset, HumanEvalRunner.Report report, Instant at) {
        return CheckpointEvaluation.newBuilder()
                .setRunId(a.getRunId())
                .setStep(a.getStep())
                .setModelId(Checkpoint.id(a.getStep(), a.getTokenizerId()))
                .setEvalLoss(a.getEvalLoss())
                .setPerplexity(a.getPerplexity())
                .setHumanEvalProblems(subset)
                .setHumanEvalScored((int) report.problems())
                .setHumanEvalPassAt1(report.problems() == 0 ? null : report.passAtK().get(1))
                .setSandboxFailures(report.sandboxFailures())
                .setEvaluatedAt(at)
                .build();
    }
}
