package dev.streamparrot.inference.api.http;

import dev.streamparrot.inference.api.ApiException;
import dev.streamparrot.inference.api.CompletionBody;
import dev.streamparrot.inference.api.CompletionRequest;
import dev.streamparrot.inference.api.CompletionResponse;
import dev.streamparrot.inference.api.CompletionService;
import dev.streamparrot.inference.service.DecodeLoop;
import dev.streamparrot.inference.service.LoadedModel;
import dev.streamparrot.inference.service.ModelSlot;
import io.micronaut.json.JsonMapper;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import jakarta.validation.Valid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * OpenAI's legacy completions API as vLLM serves it: {@code POST /v1/completions} (JSON, or
 * Server-Sent Events with {@code stream: true}) and {@code GET /v1/models}. Micronaut reads and validates the
 * body ({@link CompletionBody}); every refusal, malformed JSON included, gets OpenAI's error body from
 * {@link OpenAiErrors}. API keys are checked by {@link ApiKeyFilter}.
 */
@Controller("/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
class OpenAiController { // not final: Micronaut validates @Valid arguments through a proxy
    private final ModelSlot slot;
    private final DecodeLoop loop;
    private final JsonMapper json;

    OpenAiController(ModelSlot slot, DecodeLoop loop, JsonMapper json) {
        this.slot = slot;
        this.loop = loop;
        this.json = json;
    }

    @Get(uri = "/models", produces = MediaType.APPLICATION_JSON)
    ModelList models() {
        return new ModelList(slot.current().map(m -> List.of(ModelList.Model.of(m))).orElse(List.of()));
    }

    @Post(uri = "/completions", produces = {MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM})
    HttpResponse<?> completions(@Valid @Body CompletionBody body) throws InterruptedException {
        CompletionRequest request = body.toRequest();
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

    private HttpResponse<CompletionResponse> whole(LoadedModel model, CompletionService.Completion completion) throws InterruptedException {
        DecodeLoop.Job job = loop.submit(model, completion, null);
        try {
            return HttpResponse.ok(job.result().get()).contentType(MediaType.APPLICATION_JSON_TYPE);
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
            DecodeLoop.Job job = loop.submit(model, completion, chunk -> sink.next(event(chunk)));
            sink.onCancel(job::cancel);
            job.result().whenComplete((ignored, failure) -> {
                if (failure instanceof CancellationException) {
                    sink.complete();
                    return;
                }
                if (failure != null) {
                    // the status line is long gone: report the error as an event, as vLLM does
                    ApiException error = new ApiException(500, "server_error", "generation failed: " + failure.getMessage(), null, null);
                    sink.next(event(error.body()));
                }
                sink.next(CompletionResponse.SSE_DONE);
                sink.complete();
            });
        }, FluxSink.OverflowStrategy.BUFFER);
        return HttpResponse.ok(events).contentType(MediaType.TEXT_EVENT_STREAM_TYPE);
    }

    /** One Server-Sent Event: {@code data: {json}\n\n}. */
    private String event(Object body) {
        try {
            return "data: " + json.writeValueAsString(body) + "\n\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
