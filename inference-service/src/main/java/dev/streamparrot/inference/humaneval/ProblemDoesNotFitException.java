package dev.streamparrot.inference.humaneval;

import dev.streamparrot.inference.api.ApiException;

/**
 * A problem's prompt plus the tokens to generate exceed the model's context: the runner leaves the problem
 * out and counts it, rather than failing the run (a small local model fits only some of HumanEval).
 */
public final class ProblemDoesNotFitException extends RuntimeException {
    private final String taskId;

    public ProblemDoesNotFitException(String taskId, String why) {
        super(taskId + " does not fit the model: " + why);
        this.taskId = taskId;
    }

    /** The problem does not fit when the API refused it as too long; any other refusal is thrown as it is. */
    public static RuntimeException orRethrow(HumanEvalProblem problem, ApiException refused) {
        if (ApiException.CONTEXT_LENGTH_EXCEEDED.equals(refused.code())) {
            return new ProblemDoesNotFitException(problem.taskId(), refused.getMessage());
        }
        return refused;
    }

    public String taskId() {
        return taskId;
    }
}
