package dev.streamparrot.console;

import dev.streamparrot.topics.Topics;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the console's pages show that no service serves: read from Kafka and the registry.
 * {@code /api/pipeline} topics and consumer groups, {@code /api/dead-letters} the last dead letters,
 * {@code /api/tokenizers} releases and activations, {@code /api/training} the trainer's sampled history
 * and the announced checkpoints.
 */
@Controller("/api")
@ExecuteOn(TaskExecutors.BLOCKING)
final class ConsoleController {
    static final int MAX_LIMIT = 1000;
    private final PipelineView pipeline;
    private final TopicTail tail;
    private final TrainerHistory history;

    ConsoleController(PipelineView pipeline, TopicTail tail, TrainerHistory history) {
        this.pipeline = pipeline;
        this.tail = tail;
        this.history = history;
    }

    @Get(uri = "/pipeline", produces = MediaType.APPLICATION_JSON)
    PipelineView.Pipeline pipeline() throws Exception {
        return pipeline.read();
    }

    @Get(uri = "/dead-letters", produces = MediaType.APPLICATION_JSON)
    Map<String, Object> deadLetters(@QueryValue(defaultValue = "50") int limit) {
        return Map.of("letters", tail.last(Topics.DEAD_LETTERS, clamp(limit)));
    }

    @Get(uri = "/tokenizers", produces = MediaType.APPLICATION_JSON)
    Map<String, Object> tokenizers() {
        List<Map<String, Object>> activations = tail.last(Topics.TOKENIZER_ACTIVATIONS, MAX_LIMIT);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("releases", tail.last(Topics.TOKENIZER_RELEASES, MAX_LIMIT));
        out.put("activations", activations);
        // the newest activation names the release that encodes new files
        out.put("active", activations.isEmpty() ? null : activations.get(0).get("tokenizerId"));
        return out;
    }

    @Get(uri = "/training", produces = MediaType.APPLICATION_JSON)
    Map<String, Object> training() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("history", history.snapshots());
        out.put("historyError", history.lastError());
        out.put("checkpoints", tail.last(Topics.CHECKPOINTS, MAX_LIMIT));
        return out;
    }

    private static int clamp(int limit) {
        return Math.max(1, Math.min(MAX_LIMIT, limit));
    }

    /** Kafka or the registry is out of reach: an outage, said so, not an empty page. */
    @Error(exception = Exception.class)
    HttpResponse<?> failed(Exception e) {
        Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
        return HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE)
                .body(Map.of("error", Map.of("message", cause.getClass().getSimpleName() + ": " + cause.getMessage(), "type", "cluster_unreachable")));
    }
}
