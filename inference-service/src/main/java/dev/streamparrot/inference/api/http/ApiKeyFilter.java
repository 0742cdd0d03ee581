package dev.streamparrot.inference.api.http;

import dev.streamparrot.inference.api.ApiException;
import dev.streamparrot.inference.service.InferenceSettings;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Optional API keys ({@code streamparrot.inference.api-keys}): when any are configured, every
 * {@code /v1} call needs {@code Authorization: Bearer <key>}, as OpenAI's clients send it.
 * One filter in front of every {@code /v1} endpoint, so no handler can forget the check.
 */
@ServerFilter("/v1/**")
final class ApiKeyFilter {
    private final List<byte[]> keys;

    ApiKeyFilter(InferenceSettings settings) {
        this.keys = settings.apiKeys().stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    }

    /** Null lets the request through; otherwise the 401 answer, in OpenAI's error body. */
    @RequestFilter
    @Nullable
    HttpResponse<?> check(HttpRequest<?> request) {
        ApiException refused = refusal(request.getHeaders().get(HttpHeaders.AUTHORIZATION));
        return refused == null ? null : OpenAiErrors.response(refused);
    }

    /** Null unless keys are on and {@code authorization} carries none of them. */
    @Nullable
    ApiException refusal(@Nullable String authorization) {
        if (keys.isEmpty()) return null;
        String prefix = "Bearer ";
        if (authorization == null || !authorization.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return new ApiException(401, "invalid_request_error",
                    "You didn't provide an API key. Provide it in an Authorization header (Authorization: Bearer YOUR_KEY).",
                    null, "invalid_api_key");
        }
        byte[] given = authorization.substring(prefix.length()).strip().getBytes(StandardCharsets.UTF_8);
        boolean known = false;
        for (byte[] key : keys) known |= MessageDigest.isEqual(key, given); // constant time: no timing hints
        return known ? null : new ApiException(401, "invalid_request_error", "Incorrect API key provided.", null, "invalid_api_key");
    }
}
