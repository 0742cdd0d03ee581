package dev.streamparrot.inference.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamparrot.inference.api.ApiException;
import dev.streamparrot.inference.humaneval.GenerationSettings;
import dev.streamparrot.inference.humaneval.HumanEvalProblem;
import dev.streamparrot.inference.humaneval.HumanEvalRunner;
import dev.streamparrot.inference.humaneval.Sandbox;
import dev.streamparrot.inference.sampling.SamplingParams;
import dev.streamparrot.inference.service.DecodeLoop;
import dev.streamparrot.inference.service.LoadedModel;
import dev.streamparrot.inference.service.LoopCompletionEngine;
import dev.streamparrot.inference.service.ModelSlot;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/humaneval {"n", "temperature", "top_p", "max_tokens", "limit", "seed"}}: HumanEval on the
 * model loaded now (it stays loaded for the run, even if a newer one is swapped in), answering pass@k, the
 * failures of the model apart from the samples the sandbox could not judge, and the sandbox's isolation.
 * Defaults are CodeParrot's script's. The call blocks until every sample is checked.
 */
@Controller("/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
final class HumanEvalController {
    private final ModelSlot slot;
    private final DecodeLoop loop;
    private final ApiKeys apiKeys;

    HumanEvalController(ModelSlot slot, DecodeLoop loop, ApiKeys apiKeys) {
        this.slot = slot;
        this.loop = loop;
        this.apiKeys = apiKeys;
    }

    @Post(uri = "/humaneval", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> humanEval(@Nullable @Body String body, @Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization)
            throws IOException {
        apiKeys.check(authorization);
        JsonNode json = OpenAiController.parse(body == null || body.isBlank() ? "{}" : body);
        if (!json.isObject()) throw ApiException.invalid(null, "The request body must be a JSON object.");
        int n = integer(json, "n", 1, 1, 200);
        int limit = integer(json, "limit", 0, 0, 164);
        int maxTokens = integer(json, "max_tokens", GenerationSettings.CODEPARROT.maxNewTokens(), 1, 4096);
        double temperature = number(json, "temperature", GenerationSettings.CODEPARROT.sampling().temperature());
        double topP = number(json, "top_p", GenerationSettings.CODEPARROT.sampling().topP());
        if (temperature < 0) throw ApiException.invalid("temperature", "temperature must be non-negative.");
        if (!(topP > 0 && topP <= 1)) throw ApiException.invalid("top_p", "top_p must be in (0, 1].");
        Long seed = json.hasNonNull("seed") ? (long) integer(json, "seed", 0, Integer.MIN_VALUE, Integer.MAX_VALUE) : null;
        GenerationSettings settings = new GenerationSettings(new SamplingParams(temperature, topP, 0), maxTokens,
                GenerationSettings.CODEPARROT.stop(), seed);

        List<HumanEvalProblem> problems = HumanEvalProblem.bundled();
        if (limit > 0) problems = problems.subList(0, Math.min(limit, problems.size()));
        LoadedModel model = slot.acquire().orElseThrow(() ->
                new ApiException(503, "server_error", "No model is loaded yet.", null, "model_not_loaded"));
        try {
            HumanEvalRunner.Report report = new HumanEvalRunner(new Sandbox(), 2)
                    .run(problems, new LoopCompletionEngine(loop, model, settings), n, null, r -> { });
            ObjectNode out = OpenAiController.JSON.createObjectNode();
            out.put("model", model.id());
            out.put("problems", problems.size());
            out.put("n", n);
            out.put("temperature", temperature);
            out.put("top_p", topP);
            out.put("samples", report.samples().size());
            out.put("passed", report.passed());
            out.put("model_failures", report.modelFailures());
            out.put("sandbox_failures", report.sandboxFailures());
            ArrayNode isolation = out.putArray("isolation");
            report.isolation().forEach(isolation::add);
            ObjectNode passAtK = out.putObject("pass_at_k");
            for (Map.Entry<Integer, Double> e : report.passAtK().entrySet()) passAtK.put("pass@" + e.getKey(), e.getValue());
            return HttpResponse.ok(out.toString()).contentType(MediaType.APPLICATION_JSON_TYPE);
        } finally {
            model.release();
        }
    }

    private static int integer(JsonNode json, String name, int fallback, int min, int max) {
        JsonNode v = json.get(name);
        if (v == null || v.isNull()) return fallback;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw ApiException.invalid(name, name + " must be an integer.");
        if (v.intValue() < min || v.intValue() > max) {
            throw ApiException.invalid(name, name + " must be between " + min + " and " + max + ", got " + v.intValue() + ".");
        }
        return v.intValue();
    }

    private static double number(JsonNode json, String name, double fallback) {
        JsonNode v = json.get(name);
        if (v == null || v.isNull()) return fallback;
        if (!v.isNumber()) throw ApiException.invalid(name, name + " must be a number.");
        return v.doubleValue();
    }
}
