package dev.streamparrot.inference.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamparrot.inference.api.ApiException;
import dev.streamparrot.inference.api.CompletionRequest;
import dev.streamparrot.inference.api.CompletionResponse;
import dev.streamparrot.inference.api.CompletionService;
import dev.streamparrot.inference.service.DecodeLoop;
import dev.streamparrot.inference.service.LoadedModel;
import dev.streamparrot.inference.service.ModelSlot;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * OpenAI's legacy completions API as vLLM serves it: {@code POST /v1/completions} (JSON, or
 * Server-Sent Events with {@code stream: true}) and {@code GET /v1/models}. Bodies are read as
 * text and parsed here, so every malformed request gets OpenAI's error body rather than a framework page.
 */
@Controller("/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
final class OpenAiController {
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiController.class);
    static final ObjectMapper JSON = new ObjectMapper();

    private final ModelSlot slot;
    private final DecodeLoop loop;
    private final ApiKeys apiKeys;

    OpenAiController(ModelSlot slot, DecodeLoop loop, ApiKeys apiKeys) {
        this.slot = slot;
        this.loop = loop;
        this.apiKeys = apiKeys;
    }

    @Get(uri = "/models", produces = MediaType.APPLICATION_JSON)
    HttpResponse<String> models(@Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization) {
        apiKeys.check(authorization);
        ObjectNode list = JSON.createObjectNode();
        list.put("object", "list");
        ArrayNode data = list.putArray("data");
        slot.current().ifPresent(m -> {
            ObjectNode model = data.addObject();
            model.put("id", m.id());
            model.put("object", "model");
            model.put("created", m.loadedAt().getEpochSecond());
            model.put("owned_by", "streamparrot");
            model.put("root", m.id());
            model.putNull("parent");
            model.put("max_model_len", m.model().contextLength());
        });
        return HttpResponse.ok(list.toString()).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    @Post(uri = "/completions", consumes = MediaType.ALL, produces = {MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM})
    HttpResponse<?> completions(@Nullable @Body String body, @Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization)
            throws InterruptedException {
        apiKeys.check(authorization);
        CompletionRequest request = CompletionRequest.fromJson(parse(body));
        LoadedModel model = slot.acquire().orElseThrow(() ->
                new ApiException(503, "server_error", "No model is loaded yet: waiting for a checkpoint.", "model", "model_not_loaded"));
        CompletionService.Completion completion;
        try {
            completion = model.service().prepare(request);
        } catch (RuntimeException e) {
            model.release();
            throw e;
        }
        return request.stream() ? stream(model, completion) : whole(model, completion);
    }

    private HttpResponse<String> whole(LoadedModel model, CompletionService.Completion completion) throws InterruptedException {
        DecodeLoop.Job job = loop.submit(model, completion, null);
        try {
            return HttpResponse.ok(job.result().get().toJson().toString()).contentType(MediaType.APPLICATION_JSON_TYPE);
        } catch (InterruptedException e) {
            job.cancel();
            throw e;
        } catch (ExecutionException e) {
            throw new IllegalStateException("generation failed", e.getCause());
        }
    }

    /**
     * Each chunk is one event {@code data: {json}\n\n}, then {@code data: [DONE]\n\n}. If the client goes
     * away the subscription is cancelled, which cancels the job: generation stops at the next step.
     */
    private HttpResponse<Flux<String>> stream(LoadedModel model, CompletionService.Completion completion) {
        Flux<String> events = Flux.create(sink -> {
            DecodeLoop.Job job = loop.submit(model, completion, chunk -> sink.next(chunk.toSseEvent()));
            sink.onCancel(job::cancel);
            job.result().whenComplete((ignored, failure) -> {
                if (failure instanceof CancellationException) {
                    sink.complete();
                    return;
                }
                if (failure != null) {
                    // the status line is long gone: report the error as an event, as vLLM does
                    ApiException error = new ApiException(500, "server_error", "generation failed: " + failure.getMessage(), null, null);
                    sink.next("data: " + error.toJson() + "\n\n");
                }
                sink.next(CompletionResponse.SSE_DONE);
                sink.complete();
            });
        }, FluxSink.OverflowStrategy.BUFFER);
        return HttpResponse.ok(events).contentType(MediaType.TEXT_EVENT_STREAM_TYPE);
    }

    static JsonNode parse(@Nullable String body) {
        if (body == null || body.isBlank()) throw ApiException.invalid(null, "The request body must be a JSON object.");
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(null, "The request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** Declared here too: a controller's own handler for Exception would otherwise win over the global one. */
    @Error(exception = ApiException.class)
    HttpResponse<String> refused(ApiException e) {
        return ApiErrors.response(e);
    }

    @Error(exception = Exception.class)
    HttpResponse<String> failed(Exception e) {
        LOG.error("request failed", e);
        ApiException error = new ApiException(500, "server_error", "The server failed: " + e.getMessage(), null, null);
        return HttpResponse.<String>status(HttpStatus.INTERNAL_SERVER_ERROR).body(error.toJson().toString())
                .contentType(MediaType.APPLICATION_JSON_TYPE);
    }
}
