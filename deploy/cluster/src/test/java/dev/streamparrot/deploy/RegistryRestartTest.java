package dev.streamparrot.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.RepositoryRequest;
import dev.streamparrot.schemas.TokenizerActivation;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.launcher.RegistryServer;
import dev.streamparrot.topics.Topic;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The registry's state survives a graceful restart and a kill -9 on its own storage: every id that records
 * on the topics carry still names the same schema, and every subject keeps its versions. Registers right
 * before the kill, the case that H2's default write delay lost (the id was then handed to another schema).
 */
@ExtendWith(RealCluster.class)
class RegistryRestartTest {
    private static final Duration START = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void idsAndSubjectsSurviveAStopAndAKill(@TempDir Path home) throws Exception {
        Path data = home.resolve("registry");
        Path log = home.resolve("registry.log");
        int port = RealCluster.freePort();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Topic<?> requests = new Topic<>("restart-requests-" + suffix, 1, "delete", "url", RepositoryRequest.class);
        Topic<?> activations = new Topic<>("restart-activations-" + suffix, 1, "delete", "tokenizer id", TokenizerActivation.class);
        TopicAdmin.ensure(RealCluster.bootstrapServers(), List.of(requests, activations), (short) 1);

        RegistryServer registry = RegistryServer.start(port, data, log, START);
        try {
            SchemaRegistryClient client = new SchemaRegistryClient(registry.confluentUrl());
            List<SpecificRecord> written = new ArrayList<>();
            written.add(produce(requests, new AvroSerde<>(RepositoryRequest.class, client),
                    new RepositoryRequest("https://example.org/a.git", null, "test", Instant.ofEpochMilli(1_000))));
            written.add(produce(activations, new AvroSerde<>(TokenizerActivation.class, client),
                    new TokenizerActivation("0123456789abcdef", Map.of("0", 42L), "test", Instant.ofEpochMilli(2_000))));
            // A second version of one subject: a reader that old records must still satisfy.
            Schema v2 = withOptionalField(RepositoryRequest.getClassSchema(), "note");
            client.register(requests.valueSubject(), v2);
            for (int i = 0; i < 3; i++) client.register("restart-extra-" + suffix + "-" + i, record("Extra" + i));
            Snapshot before = Snapshot.of(registry.confluentUrl());
            assertEquals(2, before.versions().get(requests.valueSubject()).size(), "the evolved subject has two versions");

            registry.close();
            registry = RegistryServer.start(port, data, log, START);
            assertEquals(before, Snapshot.of(registry.confluentUrl()), "after a graceful restart");
            assertRecordsReadable(registry.confluentUrl(), List.of(requests, activations), written);

            // Registered the moment before a crash: the registry answered, so the ids are in use.
            Map<Integer, Schema> expectedSchemas = new LinkedHashMap<>(before.schemasById());
            Map<String, List<Integer>> expectedVersions = new LinkedHashMap<>(before.versions());
            for (int i = 0; i < 3; i++) {
                String subject = "restart-late-" + suffix + "-" + i;
                int id = post(registry.confluentUrl() + "/subjects/" + subject + "/versions", record("Late" + i));
                expectedSchemas.put(id, record("Late" + i));
                expectedVersions.put(subject, List.of(id));
            }
            registry.kill();
            registry = RegistryServer.start(port, data, log, START);
            Snapshot afterKill = Snapshot.of(registry.confluentUrl());
            assertEquals(new Snapshot(expectedSchemas, expectedVersions), afterKill, "after kill -9");
            assertRecordsReadable(registry.confluentUrl(), List.of(requests, activations), written);

            // A new schema after the restarts gets a fresh id, never one that records already carry.
            int next = new SchemaRegistryClient(registry.confluentUrl()).register("restart-next-" + suffix, record("Next"));
            assertFalse(afterKill.schemasById().containsKey(next), "id " + next + " was given out again");
        } finally {
            registry.close();
        }
    }

    /** What the registry holds, as a client sees it: each id's schema and each subject's versions with their ids. */
    record Snapshot(Map<Integer, Schema> schemasById, Map<String, List<Integer>> versions) {
        static Snapshot of(String url) throws Exception {
            Map<Integer, Schema> schemas = new LinkedHashMap<>();
            Map<String, List<Integer>> versions = new LinkedHashMap<>();
            SchemaRegistryClient fresh = new SchemaRegistryClient(url); // no cache from before the restart
            for (JsonNode subject : get(url + "/subjects")) {
                List<Integer> ids = new ArrayList<>();
                for (JsonNode version : get(url + "/subjects/" + subject.asText() + "/versions")) {
                    int id = get(url + "/subjects/" + subject.asText() + "/versions/" + version.asInt()).get("id").asInt();
                    ids.add(id);
                    schemas.put(id, fresh.schemaById(id));
                }
                versions.put(subject.asText(), ids);
            }
            return new Snapshot(schemas, versions);
        }
    }

    private static <T extends SpecificRecord> T produce(Topic<?> topic, AvroSerde<T> serde, T value) throws Exception {
        try (KafkaProducer<String, T> producer = new KafkaProducer<>(Map.of("bootstrap.servers", RealCluster.bootstrapServers()),
                new StringSerializer(), serde.serializer())) {
            producer.send(new ProducerRecord<>(topic.name(), "key", value)).get();
        }
        return value;
    }

    /** Reads every topic from the start with a new serde and client, as a consumer started after the restart would. */
    private static void assertRecordsReadable(String url, List<Topic<?>> topics, List<SpecificRecord> expected) {
        SchemaRegistryClient fresh = new SchemaRegistryClient(url);
        List<Object> read = new ArrayList<>();
        for (Topic<?> topic : topics) {
            @SuppressWarnings({"unchecked", "rawtypes"})
            AvroSerde<?> serde = topic.avroSerde(fresh);
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", RealCluster.bootstrapServers(),
                    "auto.offset.reset", "earliest", "group.id", "restart-" + UUID.randomUUID()),
                    new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(topic.name()));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                int before = read.size();
                while (read.size() == before && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        read.add(serde.deserialize(topic.name(), r.value()));
                    }
                }
            }
        }
        assertEquals(expected, read);
    }

    private static Schema record(String name) {
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"" + name + "\",\"namespace\":\"dev.streamparrot.test\","
                + "\"fields\":[{\"name\":\"value\",\"type\":\"string\"}]}");
    }

    private static Schema withOptionalField(Schema schema, String field) throws Exception {
        var json = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(schema.toString());
        json.withArray("fields").addObject().put("name", field).putNull("default")
                .putArray("type").add("null").add("string");
        return new Schema.Parser().parse(json.toString());
    }

    /** Registers with one request, as a producer's first record does; returns the id. */
    private static int post(String url, Schema schema) throws Exception {
        String body = JSON.createObjectNode().put("schema", schema.toString()).toString();
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), url + ": " + response.body());
        return JSON.readTree(response.body()).get("id").asInt();
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), url + ": " + response.body());
        return JSON.readTree(response.body());
    }
}
