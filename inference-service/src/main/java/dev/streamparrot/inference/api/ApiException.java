package dev.streamparrot.inference.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request the API refuses, with the HTTP status and the OpenAI error body
 * {@code {"error": {"message", "type", "param", "code"}}}.
 */
public final class ApiException extends RuntimeException {
    /** OpenAI's code for a prompt plus max_tokens longer than the model's context. */
    public static final String CONTEXT_LENGTH_EXCEEDED = "context_length_exceeded";

    private final int status;
    private final String type;
    private final String param;
    private final String code;

    public ApiException(int status, String type, String message, String param, String code) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400 invalid_request_error about one request field (param may be null). */
    public static ApiException invalid(String param, String message) {
        return new ApiException(400, "invalid_request_error", message, param, null);
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
        return param;
    }

    public String code() {
        return code;
    }

    /** The body OpenAI answers with. */
    public ErrorBody body() {
        return new ErrorBody(new ErrorBody.Detail(getMessage(), type, param, code));
    }

    /** The same body as a tree, for a Server-Sent Event written after the status line. */
    public ObjectNode toJson() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", getMessage());
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return root;
    }
}
