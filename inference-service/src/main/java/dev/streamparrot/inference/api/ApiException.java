package dev.streamparrot.inference.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.core.beans.BeanIntrospector;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Path;

/**
 * A request the API refuses, with the HTTP status and the OpenAI error body
 * {@code {"error": {"message", "type", "param", "code"}}}.
 */
public final class ApiException extends RuntimeException {
    /** OpenAI's code for a prompt plus max_tokens longer than the model's context. */
    public static final String CONTEXT_LENGTH_EXCEEDED = "context_length_exceeded";

    private final int status;
    /** The exception carries the very body it is answered with, so the two cannot disagree. */
    private final ErrorBody.Detail detail;

    public ApiException(int status, String type, String message, String param, String code) {
        super(message);
        this.status = status;
        this.detail = new ErrorBody.Detail(message, type, param, code);
    }

    /** 400 invalid_request_error about one request field (param may be null). */
    public static ApiException invalid(String param, String message) {
        return new ApiException(400, "invalid_request_error", message, param, null);
    }

    /**
     * 400 for a broken constraint annotation of a request record: param is the field's JSON name (its
     * {@code @JsonProperty}, else its Java name), the message the annotation's.
     */
    public static ApiException invalid(ConstraintViolation<?> violation) {
        String name = null;
        for (Path.Node node : violation.getPropertyPath()) name = node.getName();
        Object bean = violation.getLeafBean();
        String field = name;
        String param = name == null || bean == null ? name
                : BeanIntrospector.SHARED.findIntrospection(bean.getClass()).flatMap(i -> i.getProperty(field))
                        .flatMap(p -> p.stringValue(JsonProperty.class)).orElse(field);
        return invalid(param, violation.getMessage());
    }

    /** 404 as OpenAI answers a model it does not serve. */
    public static ApiException modelNotFound(String model) {
        return new ApiException(404, "invalid_request_error", "The model `" + model + "` does not exist.", "model",
                "model_not_found");
    }

    public int status() {
        return status;
    }

    public String param() {
        return detail.param();
    }

    public String code() {
        return detail.code();
    }

    /** The body OpenAI answers with. */
    public ErrorBody body() {
        return new ErrorBody(detail);
    }
}
