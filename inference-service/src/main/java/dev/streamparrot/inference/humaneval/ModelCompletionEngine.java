package dev.streamparrot.inference.humaneval;

import dev.streamparrot.model.generate.GenerationParams;
import dev.streamparrot.inference.api.ApiException;
import dev.streamparrot.inference.api.CompletionRequest;
import dev.streamparrot.inference.api.CompletionResponse;
import dev.streamparrot.inference.api.CompletionService;
import dev.streamparrot.model.generate.Cancellation;
import java.util.List;

/** Completions from the model, through the same service the HTTP API uses. */
public record ModelCompletionEngine(CompletionService service, GenerationParams settings) implements CompletionEngine {

    @Override
    public List<String> complete(HumanEvalProblem problem, int n) {
        CompletionResponse response = prepare(service, problem, n, settings).run(Cancellation.NEVER);
        return response.choices().stream().map(CompletionResponse.Choice::text).toList();
    }

    /**
     * The request for {@code n} completions of a problem, checked against the model; every engine that
     * runs the model starts here. Like CodeParrot's script, the model sees the prompt without its trailing
     * newline, so its first token can be the newline-and-indent BPE learned; the completion still appends
     * to the full prompt. A prompt too long for the model is a {@link ProblemDoesNotFitException}.
     */
    public static CompletionService.Completion prepare(CompletionService service, HumanEvalProblem problem, int n,
                                                       GenerationParams settings) {
        CompletionRequest request = CompletionRequest.of(problem.prompt().strip(), n, settings);
        try {
            return service.prepare(request);
        } catch (ApiException e) {
            throw ProblemDoesNotFitException.orRethrow(problem, e);
        }
    }
}
