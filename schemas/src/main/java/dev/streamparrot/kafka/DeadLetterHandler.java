package dev.streamparrot.kafka;

import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.registry.WireFormatException;
import dev.streamparrot.topics.Topic;
import dev.streamparrot.topics.Topics;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.avro.io.DecoderFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Kafka Streams' hook for records it cannot deserialize. Poison (see {@link DecodeFault}, decided with
 * {@link OutageGuard}) goes to the dead-letter topic, in the same transaction as the stream's output,
 * and the stream continues. An outage dead-letters nothing: the stage's breaker opens, the handler
 * waits the breaker's backoff and answers FAIL, so the stream thread stops without committing past the
 * record (exactly-once aborts its open transaction); {@link #replaceThreadOnOutage} then replaces the
 * thread, which resumes from the last commit and reads the record again.
 */
public final class DeadLetterHandler implements DeserializationExceptionHandler {
    public static final String SERVICE_CONFIG = "streamparrot.service";
    public static final String REGISTRY_URL_CONFIG = "streamparrot.schema.registry.url";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandler.class);

    private String service;
    private SchemaRegistryClient registry;
    private DeadLetters deadLetters;
    private OutageGuard guard;

    @Override
    public void configure(Map<String, ?> configs) {
        service = String.valueOf(configs.get(SERVICE_CONFIG));
        registry = new SchemaRegistryClient(String.valueOf(configs.get(REGISTRY_URL_CONFIG)));
        deadLetters = new DeadLetters(service, registry);
        guard = new OutageGuard(String.valueOf(configs.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)));
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        BiFunction<String, byte[], ?> decoder = decoderFor(record.topic());
        OutageGuard.Verdict verdict = guard.judge(record, exception, decoder);
        String breaker = DeadLetteringDecoder.breakerName(service, record.topic());
        if (verdict.fault() == DecodeFault.OUTAGE) {
            byte[] value = record.value();
            Duration retryAfter = Breakers.trip(breaker, verdict.why(), () -> {
                decoder.apply(record.topic(), value); // throws while the cause lasts
                return true;
            });
            LOG.warn("{}: stopping the stream thread at {}-{}@{}, a new one retries in {} ms: {}", breaker, record.topic(),
                    record.partition(), record.offset(), retryAfter.toMillis(), verdict.why());
            SchemaOutageException outage = new SchemaOutageException(record.topic(), record.partition(), record.offset(), retryAfter, exception);
            outage.awaitRetry(); // here, so a thread that fails at once again does not spin
            exception.addSuppressed(outage);
            return Response.fail();
        }
        Breakers.close(breaker); // its neighbours decode: an earlier outage has cleared
        LOG.warn("dead-lettering {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), verdict.why());
        return Response.resume(List.of(deadLetters.record(record, verdict.why())));
    }

    /**
     * The stream stages' uncaught-exception handler: a thread stopped by an outage is replaced (exactly-once
     * makes the retry safe: it resumes from the last commit); anything else shuts the client down, as
     * Kafka Streams does by default.
     */
    public static StreamsUncaughtExceptionHandler replaceThreadOnOutage(String stage) {
        return error -> {
            Optional<SchemaOutageException> outage = SchemaOutageException.in(error);
            if (outage.isPresent()) {
                LOG.warn("{} stream thread stopped for an outage, replacing it: {}", stage, outage.get().getMessage());
                return StreamThreadExceptionResponse.REPLACE_THREAD;
            }
            LOG.error("{} stream failed, shutting it down", stage, error);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        };
    }

    /** Decodes a neighbour as the stage does: as the catalog's type of the topic, or with its writer schema alone. */
    private BiFunction<String, byte[], ?> decoderFor(String topic) {
        Optional<Topic<?>> known = Topics.ALL.stream().filter(t -> t.name().equals(topic)).findFirst();
        if (known.isPresent() && known.get().isAvro()) {
            @SuppressWarnings({"unchecked", "rawtypes"})
            AvroSerde<SpecificRecord> serde = known.get().avroSerde(registry);
            return serde::deserialize;
        }
        return this::readWithWriterSchema;
    }

    private Object readWithWriterSchema(String topic, byte[] bytes) {
        if (bytes.length < 5 || bytes[0] != 0) throw new WireFormatException("record on " + topic + " is not in the Confluent wire format", null);
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        Schema writer = registry.schemaById(id);
        try {
            return new GenericDatumReader<>(writer).read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
        } catch (IOException | RuntimeException e) {
            registry.forget(id);
            throw new SerializationException("cannot read schema id " + id + " from " + topic + ": " + e, e);
        }
    }
}
