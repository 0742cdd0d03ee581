package dev.streamparrot.inference.service;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.util.List;

/**
 * The {@code streamparrot.inference.*} settings (application.yml documents each). Blank strings mean unset.
 *
 * @param modelDir           a checkpoint directory to serve from the start, or null
 * @param followCheckpoints  load each checkpoint announced on the checkpoints topic
 * @param pinnedCheckpoint   serve only this one ({@code step-<N>-<tokenizerId>} or {@code <runId>/<step>}), or null
 * @param serveOnlyNotWorse  serve a new checkpoint only if its eval loss is not higher than the served one's
 * @param torchThreads       libtorch's intra-op threads; 0 keeps its default
 * @param device             {@code auto}, {@code cpu} or {@code gpu}: where checkpoints are loaded and generate
 * @param instanceId         this instance's pin key, or null for host:port
 * @param apiKeys            when non-empty, {@code /v1} calls need {@code Authorization: Bearer <one of these>}
 * @param evaluation         evaluating each announced checkpoint
 */
@ConfigurationProperties("streamparrot.inference")
public record InferenceSettings(@Nullable String modelDir,
                                @Bindable(defaultValue = "true") boolean followCheckpoints,
                                @Nullable String pinnedCheckpoint,
                                @Bindable(defaultValue = "false") boolean serveOnlyNotWorse,
                                @Bindable(defaultValue = "0") int torchThreads,
                                @Bindable(defaultValue = "auto") String device,
                                @Nullable String instanceId,
                                @Nullable List<String> apiKeys,
                                Evaluation evaluation) {
    public InferenceSettings {
        modelDir = blankToNull(modelDir);
        pinnedCheckpoint = blankToNull(pinnedCheckpoint);
        instanceId = blankToNull(instanceId);
        apiKeys = apiKeys == null ? List.of() : apiKeys.stream().map(String::strip).filter(k -> !k.isEmpty()).toList();
    }

    /**
     * @param enabled           evaluate every announced checkpoint onto checkpoint-evaluations (the local cluster turns it on)
     * @param humanevalProblems HumanEval pass@1 on the first this many problems
     */
    @ConfigurationProperties("evaluation")
    public record Evaluation(@Bindable(defaultValue = "false") boolean enabled,
                             @Bindable(defaultValue = "20") int humanevalProblems) {
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
