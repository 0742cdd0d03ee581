package dev.streamparrot.inference.api.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.streamparrot.inference.api.StrictScalar;
import dev.streamparrot.inference.api.SamplingField;
import dev.streamparrot.inference.humaneval.HumanEvalProblem;
import dev.streamparrot.inference.service.HumanEvalJobs;
import dev.streamparrot.model.generate.GenerationParams;
import dev.streamparrot.model.generate.SamplingParams;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.util.List;

import static dev.streamparrot.inference.api.SamplingField.Rule.TEMPERATURE;
import static dev.streamparrot.inference.api.SamplingField.Rule.TOP_P;

/**
 * The JSON body of {@code POST /v1/humaneval}, as Micronaut reads and validates it (a broken rule is a 400 naming
 * the field, written by {@link OpenAiErrors}; a mistyped scalar is refused by {@link StrictScalar}). Every field is
 * optional: an absent one takes CodeParrot's script's value ({@link GenerationParams#HUMANEVAL}, n = 1, all problems).
 */
@Serdeable
record HumanEvalBody(
        @Nullable @Serdeable.Deserializable(using = StrictScalar.class)
        @Min(value = 1, message = "n must be between 1 and 200.") @Max(value = 200, message = "n must be between 1 and 200.")
        Integer n,

        // 0: all problems
        @Nullable @Serdeable.Deserializable(using = StrictScalar.class)
        @Min(value = 0, message = "limit must be between 0 and 164.") @Max(value = 164, message = "limit must be between 0 and 164.")
        Integer limit,

        @JsonProperty("max_tokens") @Nullable @Serdeable.Deserializable(using = StrictScalar.class)
        @Min(value = 1, message = "max_tokens must be between 1 and 4096.")
        @Max(value = 4096, message = "max_tokens must be between 1 and 4096.")
        Integer maxTokens,

        // the sampling rules are CompletionBody's too: one SamplingField each
        @SamplingField(TEMPERATURE) @Nullable @Serdeable.Deserializable(using = StrictScalar.class) Double temperature,

        @SamplingField(TOP_P) @JsonProperty("top_p") @Nullable @Serdeable.Deserializable(using = StrictScalar.class) Double topP,

        @Nullable @Serdeable.Deserializable(using = StrictScalar.class)
        Long seed) {

    /** An absent or empty body: every field at its default. */
    static final HumanEvalBody DEFAULTS = new HumanEvalBody(null, null, null, null, null, null);

    /** The job this body asks for, on the bundled problems. */
    HumanEvalJobs.Spec toSpec() {
        GenerationParams defaults = GenerationParams.HUMANEVAL;
        SamplingParams sampling = new SamplingParams(or(temperature, defaults.sampling().temperature()),
                or(topP, defaults.sampling().topP()), 0);
        GenerationParams settings = new GenerationParams(sampling, or(maxTokens, defaults.maxTokens()), defaults.stop(), seed, -1);
        List<HumanEvalProblem> problems = HumanEvalProblem.bundled();
        int first = or(limit, 0);
        if (first > 0) problems = problems.subList(0, Math.min(first, problems.size()));
        return new HumanEvalJobs.Spec(problems, or(n, 1), settings);
    }

    private static <T> T or(@Nullable T value, T fallback) {
        return value != null ? value : fallback;
    }
}
