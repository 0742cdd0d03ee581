package dev.streamparrot.topics;

import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

import java.util.Map;

/**
 * One topic of the system: how it is created and what travels on it. The value class is part of the type, so
 * a caller gets the topic's serde from the topic ({@link #serde}) instead of naming the class again.
 *
 * @param name          the topic name, the same in every deployment
 * @param partitions    partitions in the local cluster (multi-machine manifests may scale them)
 * @param cleanupPolicy {@code delete} or {@code compact}
 * @param key           what the record key holds, for people reading the catalog
 * @param valueType     the Avro class of the values, or {@code byte[]} for a stage's own binary topic
 * @param overrides     configs that differ from {@link #configs()}'s defaults (e.g. a bounded retention)
 * @param <V>           the value type
 */
public record Topic<V>(String name, int partitions, String cleanupPolicy, String key, Class<V> valueType,
                       Map<String, String> overrides) {

    /** A topic with the default configs. */
    public Topic(String name, int partitions, String cleanupPolicy, String key, Class<V> valueType) {
        this(name, partitions, cleanupPolicy, key, valueType, Map.of());
    }

    public Topic {
        overrides = Map.copyOf(overrides);
    }

    /** Topic configs applied at creation: zstd everywhere, and data is never aged out unless {@code overrides} say so. */
    public Map<String, String> configs() {
        Map<String, String> configs = new java.util.TreeMap<>(Map.of(
                "cleanup.policy", cleanupPolicy,
                "compression.type", "zstd",
                "retention.ms", "-1",
                "max.message.bytes", String.valueOf(Topics.MAX_MESSAGE_BYTES)));
        configs.putAll(overrides);
        return Map.copyOf(configs);
    }

    /** The schema registry subject of the values (Confluent's TopicNameStrategy). */
    public String valueSubject() {
        return name + "-value";
    }

    /** Whether values are Avro records in the registry (the dedup stage's own topics are raw bytes). */
    public boolean isAvro() {
        return SpecificRecord.class.isAssignableFrom(valueType);
    }

    /** The values' serde: Avro through the registry, or the bytes as they are. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Serde<V> serde(SchemaRegistryClient registry) {
        if (valueType == byte[].class) return (Serde<V>) Serdes.ByteArray();
        if (!isAvro()) throw new IllegalStateException("topic " + name + " carries " + valueType.getName() + ", which has no serde");
        return (Serde<V>) new AvroSerde(valueType, registry);
    }

    /** The typed Avro serde of an Avro topic's values: the topic names their class. */
    public static <T extends SpecificRecord> AvroSerde<T> avro(Topic<T> topic, SchemaRegistryClient registry) {
        return new AvroSerde<>(topic.valueType(), registry);
    }

    /**
     * The values' Avro serde as one over any record, for code that handles every topic alike (dead letters, the
     * console, audits); only for an Avro topic. Typed code uses {@link #serde} or {@link #avro}.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public AvroSerde<SpecificRecord> avroSerde(SchemaRegistryClient registry) {
        if (!isAvro()) throw new IllegalStateException("topic " + name + " carries " + valueType.getName() + ", not Avro");
        return new AvroSerde(valueType, registry);
    }
}
