package dev.streamparrot.tokenize;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.schemas.TokenizerActivation;
import dev.streamparrot.tokenize.stream.TokenizerActivator;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;

import java.util.Map;
import java.util.TreeMap;

/** {@code POST /tokenizer/activate {"tokenizerId": "..."}}: makes a release the current one. */
@Controller("/tokenizer")
final class ActivationController {
    private final TokenizerActivator activator;

    ActivationController(KafkaSettings kafka) {
        this.activator = new TokenizerActivator(kafka);
    }

    @Serdeable
    record ActivateRequest(String tokenizerId, @Nullable String activatedBy) {}

    @Serdeable
    record ActivateResponse(String tokenizerId, Map<String, Long> fromOffsets) {}

    @Post("/activate")
    @ExecuteOn(TaskExecutors.BLOCKING)
    HttpResponse<?> activate(@Body ActivateRequest request) {
        try {
            TokenizerActivation activation = activator.activate(request.tokenizerId(),
                    request.activatedBy() == null ? "http" : request.activatedBy());
            return HttpResponse.ok(new ActivateResponse(activation.getTokenizerId(), new TreeMap<>(activation.getFromOffsets())));
        } catch (IllegalArgumentException e) {
            return HttpResponse.notFound(Map.of("error", e.getMessage()));
        }
    }
}
