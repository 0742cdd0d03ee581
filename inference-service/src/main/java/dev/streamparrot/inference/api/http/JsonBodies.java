package dev.streamparrot.inference.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamparrot.inference.api.ApiException;
import io.micronaut.core.annotation.Nullable;

/** JSON for the endpoints that still read their body as a tree (HumanEval jobs) or build one (provenance). */
final class JsonBodies {
    static final ObjectMapper JSON = new ObjectMapper();

    private JsonBodies() {
    }

    static JsonNode parse(@Nullable String body) {
        if (body == null || body.isBlank()) throw ApiException.invalid(null, "The request body must be a JSON object.");
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(null, "The request body is not valid JSON: " + e.getOriginalMessage());
        }
    }
}
