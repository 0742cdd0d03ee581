package dev.streamparrot.inference.service;

import dev.streamparrot.inference.api.ApiException;
import dev.streamparrot.inference.api.CompletionRequest;
import dev.streamparrot.inference.api.CompletionResponse;
import dev.streamparrot.inference.api.CompletionService;
import dev.streamparrot.inference.humaneval.CompletionEngine;
import dev.streamparrot.model.generate.GenerationParams;
import dev.streamparrot.inference.humaneval.HumanEvalProblem;
import dev.streamparrot.inference.humaneval.ProblemDoesNotFitException;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * HumanEval completions from one loaded model, decoded by the shared {@link DecodeLoop} so they batch
 * with (and never race) the HTTP requests. Prompts are stripped as CodeParrot's script does
 * (see {@link dev.streamparrot.inference.humaneval.ModelCompletionEngine}).
 */
public final class LoopCompletionEngine implements CompletionEngine {
    private final DecodeLoop loop;
    private final LoadedModel model;
    private final GenerationParams settings;

    /** @param model acquired by the caller for the whole run */
    public LoopCompletionEngine(DecodeLoop loop, LoadedModel model, GenerationParams settings) {
        this.loop = loop;
        this.model = model;
        this.settings = settings;
    }

    @Override
    public List<String> complete(HumanEvalProblem problem, int n) {
        CompletionRequest request = CompletionRequest.of(problem.prompt().strip(), n, settings);
        CompletionService.Completion completion;
        try {
            completion = model.service().prepare(request);
        } catch (ApiException e) {
            throw ProblemDoesNotFitException.orRethrow(problem, e);
        }
        model.retain(); // the loop releases it when the job ends
        DecodeLoop.Job job;
        try {
            job = loop.submit(model, completion, null);
        } catch (RuntimeException e) {
            model.release();
            throw e;
        }
        try {
            return job.result().get().choices().stream().map(CompletionResponse.Choice::text).toList();
        } catch (InterruptedException e) {
            job.cancel();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("generation failed for " + problem.taskId(), e.getCause());
        }
    }
}
