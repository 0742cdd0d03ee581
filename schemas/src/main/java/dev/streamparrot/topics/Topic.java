package dev.streamparrot.topics;

import java.util.Map;

/**
 * One topic of the system: how it is created and what travels on it.
 *
 * @param name          the topic name, the same in every deployment
 * @param partitions    partitions in the local cluster (multi-machine manifests may scale them)
 * @param cleanupPolicy {@code delete} or {@code compact}
 * @param key           what the record key holds, for people reading the catalog
 * @param valueType     the Avro class of the values
 */
public record Topic(String name, int partitions, String cleanupPolicy, String key, Class<?> valueType, Map<String, String> overrides) {

    /** A topic with the default configs. */
    public Topic(String name, int partitions, String cleanupPolicy, String key, Class<?> valueType) {
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
}
