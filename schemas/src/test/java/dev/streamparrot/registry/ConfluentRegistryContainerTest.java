package dev.streamparrot.registry;

import dev.streamparrot.schemas.SourceFile;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import dev.streamparrot.kafka.KafkaSettings;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.ConfluentKafkaContainer;
import org.testcontainers.utility.DockerImageName;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Our serializer against Confluent's own schema registry and a Kafka container. Runs where Docker
 * exists; where it does not, JUnit reports it skipped ("disabledWithoutDocker").
 */
@Testcontainers(disabledWithoutDocker = true)
class ConfluentRegistryContainerTest {
    static final Network NETWORK = Network.newNetwork();

    @Container
    static final ConfluentKafkaContainer KAFKA = new ConfluentKafkaContainer(DockerImageName.parse("confluentinc/cp-kafka:7.9.0"))
            .withNetwork(NETWORK).withNetworkAliases("kafka");

    @Container
    static final GenericContainer<?> REGISTRY = new GenericContainer<>(DockerImageName.parse("confluentinc/cp-schema-registry:7.9.0"))
            .withNetwork(NETWORK)
            .withExposedPorts(8081)
            .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
            .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
            .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:9093")
            .dependsOn(KAFKA)
            .waitingFor(Wait.forHttp("/subjects").forStatusCode(200));

    @Test
    void roundTripsThroughConfluentsRegistry() {
        String url = "http://" + REGISTRY.getHost() + ":" + REGISTRY.getMappedPort(8081);
        KafkaSettings settings = new KafkaSettings(KAFKA.getBootstrapServers(), url);
        AvroSerde<SourceFile> serde = new AvroSerde<>(SourceFile.class, new SchemaRegistryClient(url));
        SourceFile file = new SourceFile("a/b", null, "x.py", "MIT", 5L, "hash", "print", 1);
        try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("tc"))) {
            producer.send(new ProducerRecord<>("tc-files", serde.serialize("tc-files", file)));
        }
        try (var consumer = new KafkaConsumer<byte[], byte[]>(settings.consumer("tc"))) {
            consumer.subscribe(List.of("tc-files"));
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    assertEquals(file, serde.deserialize("tc-files", record.value()));
                    return;
                }
            }
        }
        throw new AssertionError("no record came back from the Kafka container");
    }
}
