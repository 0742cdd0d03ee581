package dev.streamparrot.inference.humaneval;

import java.util.List;

/** Writes completions for a HumanEval prompt: the model in production, canned text in tests. */
@FunctionalInterface
public interface CompletionEngine {

    /** {@code n} completions, each the code to append after {@code problem.prompt()}. */
    List<String> complete(HumanEvalProblem problem, int n);

    /** The reference solutions: a check of the sandbox and the tests, not of a model. */
    CompletionEngine CANONICAL = (problem, n) -> java.util.Collections.nCopies(n, problem.canonicalSolution());
}
