package dev.streamparrot.inference.api.http;

import dev.streamparrot.inference.api.ApiException;
import io.micronaut.context.annotation.Property;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Optional API keys ({@code streamparrot.inference.api-keys}): when any are configured, every
 * {@code /v1} call needs {@code Authorization: Bearer <key>}, as OpenAI's clients send it.
 */
@Singleton
final class ApiKeys {
    private final List<byte[]> keys;

    ApiKeys(@Nullable @Property(name = "streamparrot.inference.api-keys") List<String> keys) {
        this.keys = keys == null ? List.of()
                : keys.stream().filter(k -> !k.isBlank()).map(k -> k.strip().getBytes(StandardCharsets.UTF_8)).toList();
    }

    /** Throws a 401 {@link ApiException} unless keys are off or {@code authorization} carries one of them. */
    void check(@Nullable String authorization) {
        if (keys.isEmpty()) return;
        String prefix = "Bearer ";
        if (authorization == null || !authorization.regionMatches(true, 0, prefix, 0, prefix.length())) {
            throw new ApiException(401, "invalid_request_error",
                    "You didn't provide an API key. Provide it in an Authorization header (Authorization: Bearer YOUR_KEY).",
                    null, "invalid_api_key");
        }
        byte[] given = authorization.substring(prefix.length()).strip().getBytes(StandardCharsets.UTF_8);
        boolean known = false;
        for (byte[] key : keys) known |= MessageDigest.isEqual(key, given); // constant time: no timing hints
        if (!known) throw new ApiException(401, "invalid_request_error", "Incorrect API key provided.", null, "invalid_api_key");
    }
}
