package dev.streamparrot.registry;

import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Avro values in the Confluent wire format: magic byte 0, the 4-byte big-endian schema id, then Avro
 * binary. Serializing registers the class's schema under {@code <topic>-value}; deserializing looks up
 * the writer's schema by id and resolves it against the class's schema, so old records stay readable
 * after a compatible change.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {
    static final byte MAGIC = 0;

    private final Class<T> type;
    private final Schema readerSchema;
    private final SchemaRegistryClient registry;
    private final Map<Integer, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();
    private final SpecificDatumWriter<T> writer;

    public AvroSerde(Class<T> type, SchemaRegistryClient registry) {
        this.type = type;
        this.readerSchema = schemaOf(type);
        this.registry = registry;
        this.writer = new SpecificDatumWriter<>(readerSchema);
    }

    /** The schema this serde writes and reads into (the class's). */
    public Schema schema() {
        return readerSchema;
    }

    public Class<T> type() {
        return type;
    }

    public byte[] serialize(String topic, T value) {
        if (value == null) return null;
        int id = registry.register(topic + "-value", readerSchema);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(MAGIC);
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writer.write(value, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot write " + type.getSimpleName() + " for topic " + topic + ": " + e, e);
        }
        return out.toByteArray();
    }

    public T deserialize(String topic, byte[] bytes) {
        if (bytes == null) return null;
        if (bytes.length < 5 || bytes[0] != MAGIC) {
            throw new WireFormatException("record on " + topic + " is not in the Confluent wire format ("
                    + (bytes.length < 5 ? bytes.length + " bytes" : String.format("first byte 0x%02x", bytes[0])) + ")", null);
        }
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        SpecificDatumReader<T> reader;
        try {
            reader = readers.computeIfAbsent(id, k -> new SpecificDatumReader<>(registry.schemaById(k), readerSchema));
        } catch (SchemaRegistryException e) {
            if (e.status() == 0 || e.status() >= 500) {
                throw new SchemaRegistryException(e.status(), "cannot look up schema id " + id + " of a record on " + topic
                        + ": " + e.getMessage(), e);
            }
            throw new WireFormatException("record on " + topic + " names schema id " + id
                    + " which the registry does not know: " + e.getMessage(), e);
        }
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null);
        try {
            return reader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            // The id may have meant another schema (a registry that lost its data): ask the registry again next time.
            forget(id);
            throw new SerializationException("cannot read " + type.getSimpleName() + " (schema id " + id + ") from "
                    + topic + ": " + e, e);
        }
    }

    /** Drops what this serde and its registry client cached for a schema id, so the next record asks the registry. */
    public void forget(int id) {
        readers.remove(id);
        registry.forget(id);
    }

    @Override
    public Serializer<T> serializer() {
        return this::serialize;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this::deserialize;
    }

    static Schema schemaOf(Class<?> type) {
        try {
            return (Schema) type.getField("SCHEMA$").get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(type + " is not an Avro generated class", e);
        }
    }
}
