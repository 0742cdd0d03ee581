package dev.streamparrot.inference.humaneval;

import dev.streamparrot.model.generate.GenerationParams;
import dev.streamparrot.inference.api.ApiException;
import dev.streamparrot.inference.api.CompletionRequest;
import dev.streamparrot.inference.api.CompletionResponse;
import dev.streamparrot.inference.api.CompletionService;
import dev.streamparrot.model.generate.Cancellation;
import java.util.List;

/** Completions from the model, through the same service the HTTP API uses. */
public final class ModelCompletionEngine implements CompletionEngine {
    private final CompletionService service;
    private final GenerationParams settings;

    public ModelCompletionEngine(CompletionService service, GenerationParams settings) {
        this.service = service;
        this.settings = settings;
    }

    /**
     * Like CodeParrot's script, the model sees the prompt without its trailing newline, so its first
     * token can be the newline-and-indent BPE learned; the completion still appends to the full prompt.
     */
    @Override
    public List<String> complete(HumanEvalProblem problem, int n) {
        String prompt = problem.prompt().strip();
        CompletionRequest request = CompletionRequest.of(prompt, n, settings);
        CompletionService.Completion completion;
        try {
            completion = service.prepare(request);
        } catch (ApiException e) {
            throw ProblemDoesNotFitException.orRethrow(problem, e);
        }
        CompletionResponse response = completion.run(Cancellation.NEVER);
        return response.choices().stream().map(CompletionResponse.Choice::text).toList();
    }
}
