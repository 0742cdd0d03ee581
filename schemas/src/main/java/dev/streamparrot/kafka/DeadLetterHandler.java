package dev.streamparrot.kafka;

import dev.streamparrot.registry.SchemaRegistryClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * Kafka Streams' hook for records it cannot deserialize: the record goes to the dead-letter topic, in
 * the same transaction as the stream's output, and the stream continues.
 */
public final class DeadLetterHandler implements DeserializationExceptionHandler {
    public static final String SERVICE_CONFIG = "streamparrot.service";
    public static final String REGISTRY_URL_CONFIG = "streamparrot.schema.registry.url";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);

    private DeadLetters deadLetters;

    @Override
    public void configure(Map<String, ?> configs) {
        deadLetters = new DeadLetters(String.valueOf(configs.get(SERVICE_CONFIG)),
                new SchemaRegistryClient(String.valueOf(configs.get(REGISTRY_URL_CONFIG))));
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        LOG.warn("dead-lettering {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), exception.getMessage());
        return Response.resume(List.of(deadLetters.record(record, exception)));
    }
}
