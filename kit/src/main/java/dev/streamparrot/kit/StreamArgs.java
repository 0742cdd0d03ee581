package dev.streamparrot.kit;

import dev.streamparrot.kafka.KafkaSettings;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A stream stage's command line (tests launch stages as child JVMs to kill them): bootstrap servers, registry
 * URL, state dir, then {@code key=value} pairs. The stage names the keys it reads itself; any other key is a
 * Kafka Streams setting.
 *
 * @param kafka    where the cluster is
 * @param stateDir where the state stores live
 * @param options  every {@code key=value} pair
 */
public record StreamArgs(KafkaSettings kafka, String stateDir, Map<String, String> options) {
    public StreamArgs {
        options = Map.copyOf(options);
    }

    public static StreamArgs parse(String[] args) {
        if (args.length < 3) {
            throw new IllegalArgumentException("usage: <bootstrap servers> <registry url> <state dir> [key=value ...]");
        }
        // Avro 1.12 refuses to instantiate classes outside trusted packages (the services get this flag from their launcher)
        if (System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES") == null) {
            System.setProperty("org.apache.avro.SERIALIZABLE_PACKAGES", "dev.streamparrot");
        }
        Map<String, String> options = new HashMap<>();
        for (int i = 3; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq < 1) throw new IllegalArgumentException("not a key=value pair: " + args[i]);
            options.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        return new StreamArgs(new KafkaSettings(args[0], args[1]), args[2], options);
    }

    /** The stage's own option {@code key}, or {@code otherwise}. */
    public String option(String key, String otherwise) {
        return options.getOrDefault(key, otherwise);
    }

    /** Every option that is not one of the stage's own keys: Kafka Streams settings. */
    public Map<String, String> streamsSettings(Set<String> ownKeys) {
        Map<String, String> rest = new HashMap<>(options);
        rest.keySet().removeAll(ownKeys);
        return rest;
    }
}
