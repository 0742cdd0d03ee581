package dev.streamparrot.inference.testing;

import dev.streamparrot.inference.api.ApiException;
import dev.streamparrot.inference.api.CompletionBody;
import dev.streamparrot.inference.api.CompletionRequest;
import io.micronaut.context.ApplicationContext;
import io.micronaut.serde.ObjectMapper;
import io.micronaut.validation.validator.Validator;
import jakarta.validation.ConstraintViolation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Comparator;

/**
 * JSON as the completions endpoint reads and writes it, for tests that need no server. A request from its body, read as the HTTP endpoint reads it (Micronaut's serde, then its
 * validator, then {@link CompletionBody#toRequest()}), for tests that need no server. Every refusal is an
 * {@link ApiException}, as the endpoint's error handler writes it.
 */
public final class Requests {
    /** Micronaut's beans without a server: the field deserializers ({@code StrictScalar}) are beans. */
    private static final ApplicationContext CONTEXT = ApplicationContext.run();
    private static final ObjectMapper JSON = CONTEXT.getBean(ObjectMapper.class);
    private static final Validator VALIDATOR = CONTEXT.getBean(Validator.class);

    private Requests() {
    }

    /** A response or error body as the endpoint writes it (Micronaut's serde). */
    public static String json(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static CompletionRequest parse(String json) {
        CompletionBody body;
        try {
            body = JSON.readValue(json, CompletionBody.class);
        } catch (IOException | RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ApiException refused) throw refused;
            }
            throw ApiException.invalid(null, "The request body is not a valid JSON object: " + e.getMessage());
        }
        ConstraintViolation<CompletionBody> first = VALIDATOR.validate(body).stream()
                .min(Comparator.comparing(v -> v.getPropertyPath().toString())).orElse(null);
        if (first != null) throw ApiException.invalid(first);
        return body.toRequest();
    }
}
