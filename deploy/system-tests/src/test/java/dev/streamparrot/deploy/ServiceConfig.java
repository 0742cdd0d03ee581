package dev.streamparrot.deploy;

import dev.streamparrot.artifacts.StoreSettings;
import dev.streamparrot.launcher.ProjectPaths;
import dev.streamparrot.trainer.TrainerSettings;
import dev.streamparrot.trainer.loop.TrainingArgs;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The configuration keys a module reads, with their defaults, taken from where the code takes them: its
 * {@code application.yml}, the {@code @Value("${key:default}")} and {@code @Property(name = "key")} of its
 * sources and of {@code kit} (the service shell every service shares), and the trainer's settings classes
 * (it reads {@code streamparrot.trainer.<argument>} for every training argument). The deployment files
 * are checked against this, so an environment variable that names no key, or a stage that would run with
 * another default than the files assume, fails a test rather than a deployment.
 */
record ServiceConfig(String module, Map<String, String> defaults) {
    private static final Pattern VALUE = Pattern.compile("\\$\\{([a-z0-9.\\-]+)(?::([^}]*))?}");
    private static final Pattern PROPERTY = Pattern.compile("@Property\\(name = \"([a-z0-9.\\-]+)\"");
    /** Kafka Streams' state lives under the data dir: a module that builds a topology is a stateful stage. */
    private static final Pattern STREAMS = Pattern.compile("new KafkaStreams\\(");

    static ServiceConfig of(String module) {
        Path root = ProjectPaths.root();
        Map<String, String> keys = new TreeMap<>();
        for (String source : sources(root.resolve(module)).toList()) {
            collect(source, keys);
        }
        sources(root.resolve("kit")).forEach(source -> collect(source, keys));
        // kit's StoreFactory reads the artifact store's keys through the environment, not through @Value
        StoreSettings.KEYS.forEach((key, meaning) -> keys.putIfAbsent(key, ""));
        Path yml = root.resolve(module).resolve("src/main/resources/application.yml");
        if (Files.exists(yml)) flatten("", new Yaml().load(read(yml)), keys);
        if (module.equals("trainer-service")) {
            TrainerSettings.KEYS.keySet().forEach(k -> keys.putIfAbsent("streamparrot.trainer." + k, ""));
            TrainingArgs.KEYS.keySet().forEach(k -> keys.putIfAbsent("streamparrot.trainer." + k.replace('_', '-'), ""));
        }
        return new ServiceConfig(module, Map.copyOf(keys));
    }

    /** Micronaut's environment-variable form of a key: {@code streamparrot.data-dir} is {@code STREAMPARROT_DATA_DIR}. */
    static String variable(String key) {
        return key.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** The key an environment variable sets, if the module reads one under that name. */
    Optional<String> keyOf(String variable) {
        return defaults.keySet().stream().filter(k -> variable(k).equals(variable)).findFirst();
    }

    /** The value a service runs with: the variable the environment gives it, else its own default. */
    Optional<String> value(String key, Map<String, String> environment) {
        String set = environment.get(variable(key));
        if (set != null) return Optional.of(set);
        return Optional.ofNullable(defaults.get(key)).filter(v -> !v.isEmpty());
    }

    /** Whether the module runs a Kafka Streams topology, whose state stores live under its data dir. */
    boolean stateful() {
        return sources(ProjectPaths.root().resolve(module)).anyMatch(s -> STREAMS.matcher(s).find());
    }

    private static void collect(String source, Map<String, String> keys) {
        Matcher value = VALUE.matcher(source);
        while (value.find()) keys.putIfAbsent(value.group(1), value.group(2) == null ? "" : value.group(2));
        Matcher property = PROPERTY.matcher(source);
        while (property.find()) keys.putIfAbsent(property.group(1), "");
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Object node, Map<String, String> keys) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> flatten(prefix.isEmpty() ? String.valueOf(k) : prefix + "." + k, v, keys));
        } else {
            keys.put(prefix, node == null ? "" : String.valueOf(node)); // application.yml wins over a code default
        }
    }

    private static Stream<String> sources(Path module) {
        Path main = module.resolve("src/main/java");
        if (!Files.isDirectory(main)) return Stream.empty();
        try (Stream<Path> files = Files.walk(main)) {
            return files.filter(f -> f.toString().endsWith(".java")).map(ServiceConfig::read).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
