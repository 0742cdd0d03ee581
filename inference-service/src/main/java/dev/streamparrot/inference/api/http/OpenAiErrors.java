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
import jakarta.validation.ConstraintViolation;
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
        ApiException refused = refusal(exception);
        if (refused != null) return response(refused);
        LOG.error("{} {} failed", request.getMethod(), request.getPath(), exception);
        return response(new ApiException(500, "server_error", "The server failed: " + exception.getMessage(), null, null));
    }

    static HttpResponse<ErrorBody> response(ApiException e) {
        return HttpResponse.<ErrorBody>status(HttpStatus.valueOf(e.status())).body(e.body())
                .contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    /** The refusal in a failure's causes: a field's deserializer may throw one that the framework wraps. */
    private static ApiException refusal(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ApiException refused) return refused;
        }
        return null;
    }

    /** A broken constraint annotation: 400 naming the first broken field by its JSON name. */
    @Singleton
    @Produces
    @Replaces(ConstraintExceptionHandler.class)
    static final class Violations implements ExceptionHandler<ConstraintViolationException, HttpResponse<ErrorBody>> {
        @Override
        public HttpResponse<ErrorBody> handle(HttpRequest request, ConstraintViolationException exception) {
            ConstraintViolation<?> first = exception.getConstraintViolations().stream()
                    .min(Comparator.comparing(v -> v.getPropertyPath().toString())).orElseThrow();
            return response(ApiException.invalid(first));
        }
    }

    /** A body that is not JSON: a 400 (Micronaut's own answer is not OpenAI's body). */
    @Singleton
    @Produces
    @Replaces(JsonExceptionHandler.class)
    static final class MalformedBodies implements ExceptionHandler<JsonSyntaxException, HttpResponse<ErrorBody>> {
        @Override
        public HttpResponse<ErrorBody> handle(HttpRequest request, JsonSyntaxException exception) {
            return response(ApiException.invalid(null, "The request body is not valid JSON: " + exception.getMessage()));
        }
    }

    /** A body Micronaut could not read into its type (not an object, a mistyped field): a 400, naming the field when one refused it. */
    @Singleton
    @Produces
    @Replaces(ConversionErrorHandler.class)
    static final class UnreadableBodies implements ExceptionHandler<ConversionErrorException, HttpResponse<ErrorBody>> {
        @Override
        public HttpResponse<ErrorBody> handle(HttpRequest request, ConversionErrorException exception) {
            ApiException refused = refusal(exception);
            return response(refused != null ? refused
                    : ApiException.invalid(null, "The request body is not a valid JSON object: " + exception.getMessage()));
        }
    }
}
