package dev.streamparrot.ingest.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.RepositoryRequest;
import dev.streamparrot.topics.Topics;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import jakarta.annotation.PreDestroy;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /repos} puts a request on the repo-requests topic (so it survives a restart and any
 * instance may take it); {@code GET /repos} and {@code GET /repos/{id}} show what the tracker knows.
 */
@Controller("/repos")
@ExecuteOn(TaskExecutors.BLOCKING)
final class ReposController {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final RepositoryTracker tracker;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AvroSerde<RepositoryRequest> serde;

    ReposController(RepositoryTracker tracker, KafkaSettings settings, SchemaRegistryClient registry) {
        this.tracker = tracker;
        this.producer = new KafkaProducer<>(settings.producer("ingest-repos-api"));
        this.serde = new AvroSerde<>(RepositoryRequest.class, registry);
    }

    @Post(consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    HttpResponse<?> request(@Body String body) throws Exception {
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (Exception e) {
            return error("the body is not JSON: " + e.getMessage());
        }
        if (json == null || !json.isObject() || !json.path("url").isTextual() || json.path("url").asText().isBlank()) {
            return error("expected a JSON object with a string field \"url\" (and optionally \"ref\")");
        }
        if (json.has("ref") && !json.get("ref").isTextual() && !json.get("ref").isNull()) {
            return error("\"ref\" must be a string");
        }
        String url = json.get("url").asText();
        String ref = json.path("ref").isTextual() ? json.get("ref").asText() : null;
        RepositoryRequest request = new RepositoryRequest(url, ref, json.path("requestedBy").asText("http"), Instant.now());
        producer.send(new ProducerRecord<>(Topics.REPO_REQUESTS.name(), url.getBytes(StandardCharsets.UTF_8),
                serde.serialize(Topics.REPO_REQUESTS.name(), request))).get();
        String id = RepositoryTracker.idOf(url, ref);
        return HttpResponse.status(HttpStatus.ACCEPTED).body(tracker.get(id).map(s -> (Object) s)
                .orElse(Map.of("id", id, "url", url, "status", "queued")));
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    List<RepoState> all() {
        return tracker.all();
    }

    @Get(uri = "/{id}", produces = MediaType.APPLICATION_JSON)
    HttpResponse<?> one(String id) {
        return tracker.get(id).<HttpResponse<?>>map(HttpResponse::ok)
                .orElseGet(() -> HttpResponse.notFound(Map.of("error", "no repository with id " + id)));
    }

    private static HttpResponse<?> error(String message) {
        return HttpResponse.badRequest(Map.of("error", message));
    }

    @PreDestroy
    void close() {
        producer.close();
    }

}
