package dev.streamparrot.kafka;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;

import java.util.HashMap;
import java.util.Map;

/**
 * Where the cluster is, and the client settings every service shares. Producers never lose an
 * acknowledged record (acks=all, idempotent); consumers read only committed data, since the stream
 * stages write transactionally.
 *
 * @param bootstrapServers   Kafka bootstrap servers
 * @param schemaRegistryUrl  a Confluent-compatible registry base URL
 */
public record KafkaSettings(String bootstrapServers, String schemaRegistryUrl) {

    public static final String LOCAL_BOOTSTRAP = "127.0.0.1:19092";
    public static final String LOCAL_REGISTRY = "http://127.0.0.1:18081/apis/ccompat/v7";

    public static KafkaSettings local() {
        return new KafkaSettings(LOCAL_BOOTSTRAP, LOCAL_REGISTRY);
    }

    /** Producer of raw bytes; values are encoded by {@link dev.streamparrot.registry.AvroSerde} first. */
    public Map<String, Object> producer(String clientId) {
        Map<String, Object> p = new HashMap<>();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, dev.streamparrot.topics.Topics.MAX_MESSAGE_BYTES);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return p;
    }

    public Map<String, Object> consumer(String groupId) {
        Map<String, Object> c = new HashMap<>();
        c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, dev.streamparrot.topics.Topics.MAX_MESSAGE_BYTES);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return c;
    }

    /** Kafka Streams with exactly-once: a crash between reading and writing neither loses nor repeats output. */
    public Map<String, Object> streams(String applicationId, String stateDir) {
        Map<String, Object> s = new HashMap<>();
        s.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        s.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        s.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        s.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        s.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        s.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "zstd");
        // Streams' default of 10 s aborts transactions on a loaded 2-core machine; a crash still aborts
        // them at once, since a restarted instance fences its predecessor.
        s.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 120_000);
        s.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), dev.streamparrot.topics.Topics.MAX_MESSAGE_BYTES);
        s.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), dev.streamparrot.topics.Topics.MAX_MESSAGE_BYTES);
        s.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        s.put(DeadLetterHandler.SERVICE_CONFIG, applicationId);
        s.put(DeadLetterHandler.REGISTRY_URL_CONFIG, schemaRegistryUrl);
        return s;
    }
}
