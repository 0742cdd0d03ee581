package dev.streamparrot.inference.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.serde.annotation.Serdeable;

/** OpenAI's error body {@code {"error": {"message", "type", "param", "code"}}}; param and code are written even when null, as OpenAI does. */
@Serdeable
public record ErrorBody(Detail error) {
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Detail(String message, String type, String param, String code) {
    }
}
