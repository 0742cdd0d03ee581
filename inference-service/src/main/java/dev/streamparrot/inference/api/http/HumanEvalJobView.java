package dev.streamparrot.inference.api.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.streamparrot.inference.humaneval.HumanEvalRunner;
import dev.streamparrot.inference.service.HumanEvalJobs;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A HumanEval job as {@code POST /v1/humaneval} (202) and {@code GET /v1/humaneval/<id>} show it. {@code model} is
 * written as null until the job starts; {@code error} only when it failed, {@code result} only once it succeeded.
 */
@Serdeable
@JsonInclude(JsonInclude.Include.ALWAYS) // model stays present as null; empty lists stay []
record HumanEvalJobView(String id, String object, String status, @JsonProperty("created_at") long createdAt,
                        @Nullable String model, int problems, int n, double temperature,
                        @JsonProperty("top_p") double topP, @JsonProperty("max_tokens") int maxTokens, Progress progress,
                        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String error,
                        @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Result result) {

    static HumanEvalJobView of(HumanEvalJobs.Job job) {
        HumanEvalJobs.Spec spec = job.spec();
        return new HumanEvalJobView(job.id(), "humaneval.job", job.status().name().toLowerCase(), job.createdAt().getEpochSecond(),
                job.model(), spec.problems().size(), spec.n(), spec.settings().sampling().temperature(),
                spec.settings().sampling().topP(), spec.settings().maxTokens(),
                new Progress(job.samplesChecked(), job.problemsSkipped()), job.error(),
                job.report().map(report -> Result.of(report, "/v1/humaneval/" + job.id() + "/samples")).orElse(null));
    }

    @Serdeable
    record Progress(@JsonProperty("samples_checked") long samplesChecked, @JsonProperty("problems_skipped") int problemsSkipped) {
    }

    /** pass@k and the tallies of a job that succeeded; {@code samples_file} is where its samples are fetched. */
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Result(@JsonProperty("problems_scored") long problemsScored, @JsonProperty("problems_skipped") int problemsSkipped,
                  List<String> skipped, int samples, long passed, @JsonProperty("model_failures") long modelFailures,
                  @JsonProperty("sandbox_failures") long sandboxFailures, List<String> isolation,
                  @JsonProperty("pass_at_k") Map<String, Double> passAtK, @JsonProperty("samples_file") String samplesFile) {

        static Result of(HumanEvalRunner.Report report, String samplesFile) {
            Map<String, Double> passAtK = new LinkedHashMap<>();
            report.passAtK().forEach((k, value) -> passAtK.put("pass@" + k, value));
            return new Result(report.problems(), report.skipped().size(), report.skipped(), report.samples().size(),
                    report.passed(), report.modelFailures(), report.sandboxFailures(), report.isolation(), passAtK, samplesFile);
        }
    }
}
