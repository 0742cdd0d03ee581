package dev.streamparrot.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Schema;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small client of the Confluent Schema Registry REST API: the part a serializer needs. Works with any
 * registry that speaks it (Confluent, Apicurio's {@code /apis/ccompat/v7}, Karapace, Redpanda).
 * Thread-safe; ids and schemas are cached, since a healthy registry never changes what an id means ({@link #forget}
 * drops one whose records stopped decoding, for a registry that lost its data).
 */
public final class SchemaRegistryClient {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI baseUrl;
    private final HttpClient http;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<String, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();

    /** @param baseUrl e.g. {@code http://127.0.0.1:18081/apis/ccompat/v7} */
    public SchemaRegistryClient(String baseUrl) {
        this.baseUrl = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    public String baseUrl() {
        return baseUrl.toString();
    }

    /**
     * Registers the schema under the subject (or finds it already there) and returns its global id.
     * The first registration of a subject also sets its compatibility to BACKWARD, so a later change
     * that old readers could not read is refused by the registry.
     *
     * @throws IncompatibleSchemaException when the registry refuses the schema as incompatible
     */
    public int register(String subject, Schema schema) {
        String cacheKey = subject + '\n' + schema;
        Integer cached = idsBySubjectAndSchema.get(cacheKey);
        if (cached != null) return cached;
        JsonNode reply = registerWithRetry(subject, schema);
        int id = reply.get("id").asInt();
        setCompatibilityIfUnset(subject, "BACKWARD");
        idsBySubjectAndSchema.put(cacheKey, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    /**
     * Two clients registering the first version of a subject at once can make Apicurio answer 409
     * ("already exists") or 500 (a unique-key race in its database) to one of them; asking again then
     * finds the version. A 409 that persists is the registry refusing an incompatible schema.
     */
    private JsonNode registerWithRetry(String subject, Schema schema) {
        for (int attempt = 1; ; attempt++) {
            try {
                return send("POST", "subjects/" + subject + "/versions", JSON.createObjectNode().put("schema", schema.toString()), subject);
            } catch (SchemaRegistryException e) {
                boolean race = e instanceof IncompatibleSchemaException || e.status() >= 500;
                if (!race || attempt == 4) throw e;
                try {
                    Thread.sleep(100L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** The writer schema of an id. */
    public Schema schemaById(int id) {
        return schemasById.computeIfAbsent(id, missing -> {
            JsonNode reply = send("GET", "schemas/ids/" + missing, null, null);
            return new Schema.Parser().parse(reply.get("schema").asText());
        });
    }

    /** Drops the cached schema of an id; the next {@link #schemaById} asks the registry (one that lost its data may answer differently). */
    public void forget(int id) {
        schemasById.remove(id);
    }

    public void setCompatibility(String subject, String level) {
        send("PUT", "config/" + subject, JSON.createObjectNode().put("compatibility", level), subject);
    }

    /** The subject's own compatibility level, or null when it follows the registry's global default. */
    public String compatibility(String subject) {
        try {
            return send("GET", "config/" + subject, null, subject).path("compatibilityLevel").asText(null);
        } catch (SchemaRegistryException e) {
            if (e.status() == 404) return null;
            throw e;
        }
    }

    private void setCompatibilityIfUnset(String subject, String level) {
        if (!level.equals(compatibility(subject))) setCompatibility(subject, level);
    }

    private JsonNode send(String method, String path, JsonNode body, String subject) {
        HttpRequest.Builder request = HttpRequest.newBuilder(baseUrl.resolve(path))
                .timeout(Duration.ofSeconds(30))
                .header("Accept", CONTENT_TYPE + ", application/json");
        if (body != null) {
            request.header("Content-Type", CONTENT_TYPE).method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SchemaRegistryException(0, "schema registry at " + baseUrl + " is unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException(0, "interrupted while calling the schema registry", e);
        }
        int status = response.statusCode();
        if (status / 100 == 2) {
            try {
                return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
            } catch (IOException e) {
                throw new SchemaRegistryException(status, "schema registry answered with invalid JSON: " + response.body(), e);
            }
        }
        String message = method + " " + path + " -> HTTP " + status + ": " + response.body();
        if (status == 409 && subject != null) {
            throw new IncompatibleSchemaException(subject, message);
        }
        throw new SchemaRegistryException(status, message, null);
    }
}
