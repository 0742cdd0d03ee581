package dev.streamparrot.inference.api.http;

import dev.streamparrot.inference.api.ApiException;
import dev.streamparrot.inference.provenance.ProvenanceIndex;
import dev.streamparrot.inference.service.LoadedModel;
import dev.streamparrot.inference.service.ModelSlot;
import dev.streamparrot.inference.service.ProvenanceFollower;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.time.Duration;

/**
 * {@code GET /v1/provenance?repository=<repo>&commit=<sha>}: has the served model seen this commit? The
 * repository is named as source-files names it (the start of its keys: {@code owner/name}, or a local
 * repository's directory name). The commit's files are the source files ingest published with that commit;
 * each is trained when every chunk that holds its ids is below the served checkpoint's frontier.
 */
@Controller("/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
final class ProvenanceController {
    /** How long an answer may wait for the index to read what the topics held when it was asked. */
    private static final Duration CATCH_UP = Duration.ofSeconds(30);

    private final ModelSlot slot;
    private final ProvenanceFollower follower;

    ProvenanceController(ModelSlot slot, @Nullable ProvenanceFollower follower) {
        this.slot = slot;
        this.follower = follower;
    }

    @Get(uri = "/provenance", produces = MediaType.APPLICATION_JSON)
    ProvenanceView provenance(@Nullable @QueryValue String repository, @Nullable @QueryValue String commit) throws InterruptedException {
        if (repository == null || repository.isBlank()) throw ApiException.invalid("repository", "repository is required.");
        if (commit == null || commit.isBlank()) throw ApiException.invalid("commit", "commit is required.");
        if (follower == null) {
            throw new ApiException(503, "server_error", "Provenance needs the topics: this instance does not follow checkpoints.",
                    null, "provenance_unavailable");
        }
        LoadedModel model = slot.current().orElseThrow(() ->
                new ApiException(503, "server_error", "No model is loaded yet.", null, "model_not_loaded"));
        try {
            follower.awaitCurrent(CATCH_UP);
        } catch (IllegalStateException behind) {
            throw new ApiException(503, "server_error", "The provenance index is still reading its topics: " + behind.getMessage(),
                    null, "provenance_unavailable");
        }
        ProvenanceIndex.Answer answer = follower.index().answer(repository, commit, model.provenance());
        return ProvenanceView.of(answer, model.id(), model.provenance());
    }
}
