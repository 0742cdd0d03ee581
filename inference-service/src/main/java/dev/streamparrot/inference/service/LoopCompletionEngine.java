package dev.streamparrot.inference.service;

import dev.streamparrot.inference.api.CompletionResponse;
import dev.streamparrot.inference.api.CompletionService;
import dev.streamparrot.inference.humaneval.CompletionEngine;
import dev.streamparrot.model.generate.GenerationParams;
import dev.streamparrot.inference.humaneval.HumanEvalProblem;
import dev.streamparrot.inference.humaneval.ModelCompletionEngine;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * HumanEval completions from one loaded model, decoded by the shared {@link DecodeLoop} so they batch
 * with (and never race) the HTTP requests; requests are made as {@link ModelCompletionEngine#prepare} makes them.
 * {@code model} is acquired by the caller for the whole run.
 */
public record LoopCompletionEngine(DecodeLoop loop, LoadedModel model, GenerationParams settings) implements CompletionEngine {
    @Override
    public List<String> complete(HumanEvalProblem problem, int n) {
        CompletionService.Completion completion = ModelCompletionEngine.prepare(model.service(), problem, n, settings);
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
