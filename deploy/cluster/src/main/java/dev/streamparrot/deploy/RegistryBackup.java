package dev.streamparrot.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.topics.Topic;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A copy of the schema registry's whole state in Kafka, for when the registry's own files are lost or
 * unreadable. Apicurio's admin export is a zip that keeps global and content ids, and its import restores
 * them into an empty registry, so records on the topics stay readable. The copy is the latest record of a
 * compacted one-partition topic.
 */
final class RegistryBackup {
    static final Topic<byte[]> TOPIC = new Topic<>("registry-backups", 1, "compact", "\"registry\"", byte[].class);
    private static final String KEY = "registry";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String bootstrapServers;
    private final URI registry;
    // `stop` hung twice under heavy load in the export's body (cause not found; the same export answers in ms
    // otherwise): plain HTTP/1.1 without the JDK client's h2c upgrade, and the whole exchange bounded below
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** A request's timeout covers only the wait for the headers: the whole exchange, body included, is bounded here. */
    private static final Duration EXCHANGE = Duration.ofSeconds(90);

    /** @param registryRoot e.g. {@code http://127.0.0.1:18081} */
    RegistryBackup(String bootstrapServers, String registryRoot) {
        this.bootstrapServers = bootstrapServers;
        this.registry = URI.create(registryRoot.endsWith("/") ? registryRoot : registryRoot + "/");
    }

    /** Exports the registry and keeps the export in Kafka. @return its size in bytes */
    int save() throws IOException, InterruptedException {
        HttpResponse<byte[]> export = exchange(HttpRequest.newBuilder(registry.resolve("apis/registry/v2/admin/export"))
                .timeout(Duration.ofSeconds(60)).build());
        if (export.statusCode() != 200) throw new IOException("the registry's export answered HTTP " + export.statusCode());
        TopicAdmin.ensure(bootstrapServers, List.of(TOPIC), (short) 1);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrapServers,
                "acks", "all", "max.request.size", Topics.MAX_MESSAGE_BYTES), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(TOPIC.name(), KEY, export.body())).get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("cannot write the registry's backup to " + TOPIC.name() + ": " + e.getCause(), e.getCause());
        }
        return export.body().length;
    }

    private HttpResponse<byte[]> exchange(HttpRequest request) throws IOException, InterruptedException {
        var pending = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        try {
            return pending.get(EXCHANGE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            pending.cancel(true);
            throw new IOException(request.uri() + " did not answer in full within " + EXCHANGE.toSeconds() + " s");
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(request.uri() + ": " + e.getCause(), e.getCause());
        }
    }

    /**
     * Imports the latest backup when the registry holds no subject: a registry that lost its files comes back
     * with every id it had. Call it before anything registers schemas.
     *
     * @return the size of the backup imported, or empty when the registry had data or no backup exists
     */
    Optional<Integer> restoreIfEmpty() throws IOException, InterruptedException {
        HttpResponse<String> subjects = http.send(HttpRequest.newBuilder(registry.resolve("apis/ccompat/v7/subjects"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        if (subjects.statusCode() != 200) throw new IOException("the registry answered HTTP " + subjects.statusCode());
        if (!JSON.readTree(subjects.body()).isEmpty()) return Optional.empty();
        Optional<byte[]> backup = latest();
        if (backup.isEmpty()) return Optional.empty();
        HttpResponse<String> imported = http.send(HttpRequest.newBuilder(registry.resolve("apis/registry/v2/admin/import"))
                .header("Content-Type", "application/zip").POST(HttpRequest.BodyPublishers.ofByteArray(backup.get()))
                .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
        if (imported.statusCode() / 100 != 2) {
            throw new IOException("the registry refused its backup: HTTP " + imported.statusCode() + " " + imported.body());
        }
        return Optional.of(backup.get().length);
    }

    private Optional<byte[]> latest() {
        TopicPartition partition = new TopicPartition(TOPIC.name(), 0);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrapServers),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            if (!consumer.listTopics(Duration.ofSeconds(30)).containsKey(TOPIC.name())) return Optional.empty();
            consumer.assign(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(30)).get(partition);
            if (end == 0) return Optional.empty();
            // The latest record is never compacted away, and nothing else writes this topic.
            consumer.seek(partition, end - 1);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (KEY.equals(record.key())) return Optional.of(record.value());
                }
            }
            throw new IllegalStateException("cannot read the registry's backup at " + TOPIC.name() + "@" + (end - 1));
        }
    }
}
