package dev.streamparrot.inference.api.http;

import dev.streamparrot.inference.api.ApiException;
import dev.streamparrot.inference.api.ErrorBody;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.convert.exceptions.ConversionErrorException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ConversionErrorHandler;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.JsonExceptionHandler;
import io.micronaut.json.JsonSyntaxException;
import io.micronaut.validation.exceptions.ConstraintExceptionHandler;
import jakarta.inject.Singleton;
import jakarta.validation.ConstraintViolationException;
import java.util.Comparator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a failed request becomes an answer, in OpenAI's error body: a refused request
 * ({@link ApiException}) gets its status, anything else a 500. Two of Micronaut's own handlers are replaced so
 * that their failures speak OpenAI too: a body that breaks a constraint annotation, and a body that cannot be read
 * (not JSON, not an object, a mistyped field). Micronaut's other handlers (an unknown route, a bad content type)
 * still answer what they know.
 */
@Singleton
@Produces
@Requires(classes = {Exception.class, ExceptionHandler.class})
final class OpenAiErrors implements ExceptionHandler<Exception, HttpResponse<ErrorBody>> {
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiErrors.class);

    @Override
    public HttpResponse<ErrorBody> handle(HttpRequest request, Exception exception) {
        ApiException refused = refusalIn(exception);
        if (refused != null) return response(refused);
        LOG.error("{} {} failed", request.getMethod(), request.getPath(), exception);
        return response(new ApiException(500, "server_error", "The server failed: " + exception.getMessage(), null, null));
    }

    static HttpResponse<ErrorBody> response(ApiException e) {
        return HttpResponse.<ErrorBody>status(HttpStatus.valueOf(e.status())).body(e.body())
                .contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    /** The refusal in a failure's causes: a field's deserializer may throw one that the framework wraps. */
    private static ApiException refusalIn(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ApiException refused) return refused;
        }
        return null;
    }

    /** One of Micronaut's failures that a client caused, answered as the refusal it is. */
    abstract static class Refusals<E extends Throwable> implements ExceptionHandler<E, HttpResponse<ErrorBody>> {
        @Override
        public final HttpResponse<ErrorBody> handle(HttpRequest request, E exception) {
            return response(refusal(exception));
        }

        abstract ApiException refusal(E exception);
    }

    /** A broken constraint annotation: 400 naming the first broken field by its JSON name. */
    @Singleton @Produces @Replaces(ConstraintExceptionHandler.class)
    static final class Violations extends Refusals<ConstraintViolationException> {
        @Override
        ApiException refusal(ConstraintViolationException e) {
            return ApiException.invalid(e.getConstraintViolations().stream()
                    .min(Comparator.comparing(v -> v.getPropertyPath().toString())).orElseThrow());
        }
    }

    /** A body that is not JSON (Micronaut's own answer is not OpenAI's body). */
    @Singleton @Produces @Replaces(JsonExceptionHandler.class)
    static final class MalformedBodies extends Refusals<JsonSyntaxException> {
        @Override
        ApiException refusal(JsonSyntaxException e) {
            return ApiException.invalid(null, "The request body is not valid JSON: " + e.getMessage());
        }
    }

    /** A body that is not an object of the endpoint's type, or a mistyped field (then its refusal names it). */
    @Singleton @Produces @Replaces(ConversionErrorHandler.class)
    static final class UnreadableBodies extends Refusals<ConversionErrorException> {
        @Override
        ApiException refusal(ConversionErrorException e) {
            ApiException refused = refusalIn(e);
            return refused != null ? refused : ApiException.invalid(null, "The request body is not a valid JSON object: " + e.getMessage());
        }
    }
}
