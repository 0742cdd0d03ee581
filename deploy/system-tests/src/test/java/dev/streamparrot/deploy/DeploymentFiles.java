package dev.streamparrot.deploy;

import dev.streamparrot.launcher.ProjectPaths;
import dev.streamparrot.topics.Topic;
import dev.streamparrot.topics.Topics;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The multi-machine deployment files, read as what they are: the compose file as YAML (anchors and merge keys
 * resolved) and the Kubernetes manifests as fabric8's typed objects. Both checks and the compose-environment
 * test read the files through here.
 */
final class DeploymentFiles {
    static final Path COMPOSE = Path.of("deploy/docker/docker-compose.yml");
    static final Path KUBERNETES = Path.of("deploy/k8s/streamparrot.yaml");
    static final Path DOCKERFILE = Path.of("deploy/docker/Dockerfile");

    /**
     * Variables that Micronaut does not read: run-service.sh's JVM options, and the S3 credentials that the AWS
     * SDK's default chain reads from the environment.
     */
    static final List<String> NOT_CONFIG = List.of("JAVA_OPTS", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION");

    /** The artifact store's location key, as an environment variable. */
    static final String STORE_URI = "STREAMPARROT_STORE_URI";
    static final String STORE_ENDPOINT = "STREAMPARROT_STORE_S3_ENDPOINT";

    /** What writes or reads artifacts (tokenizer releases, checkpoints), besides the first-tokenizer job. */
    static final List<String> ARTIFACT_USERS = List.of("tokenize", "trainer", "inference");

    /** The topic each scaled stage consumes: its replicas share that topic's partitions, so more would idle. */
    static final Map<String, Topic<?>> INPUT = Map.of(
            "ingest", Topics.INGEST_CANDIDATES, // the dedup stage
            "tokenize", Topics.SOURCE_FILES,
            "packer", Topics.TOKEN_IDS,
            "trainer", Topics.CHUNKS_TRAIN);

    /** The one-shot job that trains and activates the first tokenizer. */
    static final String FIRST_TOKENIZER_JOB = "dev.streamparrot.tokenize.FirstTokenizerJob";

    private DeploymentFiles() {}

    static Path root() {
        return ProjectPaths.root();
    }

    /** The compose file's services, each as the map compose sees after resolving anchors and merges. */
    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> composeServices(Path file) throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(root().resolve(file)));
        return (Map<String, Map<String, Object>>) compose.get("services");
    }

    /** A compose service's environment as strings (compose accepts numbers and maps or KEY=VALUE lists). */
    @SuppressWarnings("unchecked")
    static Map<String, String> environment(Map<String, Object> service) {
        Map<String, String> env = new LinkedHashMap<>();
        Object raw = service.get("environment");
        if (raw instanceof Map<?, ?> map) {
            map.forEach((k, v) -> env.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        } else if (raw instanceof List<?> list) {
            for (Object entry : list) {
                String s = String.valueOf(entry);
                int eq = s.indexOf('=');
                env.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
            }
        }
        return env;
    }

    /** A compose service's command (or entrypoint for one that replaces it) as a list of strings. */
    static List<String> command(Map<String, Object> service, String field) {
        Object raw = service.get(field);
        List<String> out = new ArrayList<>();
        if (raw instanceof List<?> list) list.forEach(a -> out.add(String.valueOf(a)));
        return out;
    }

    @SuppressWarnings("unchecked")
    static int replicas(Map<String, Object> service) {
        Object deploy = service.get("deploy");
        if (deploy instanceof Map<?, ?> d && d.get("replicas") instanceof Number n) return n.intValue();
        return 1;
    }

    /** "volume:/path" mounts of a compose service, as path → source. */
    static Map<String, String> mounts(Map<String, Object> service) {
        Map<String, String> out = new LinkedHashMap<>();
        Object raw = service.get("volumes");
        if (raw instanceof List<?> list) {
            for (Object v : list) {
                if (v instanceof Map<?, ?> m) {
                    out.put(String.valueOf(m.get("target")), String.valueOf(m.get("source")));
                } else {
                    String[] parts = String.valueOf(v).split(":");
                    out.put(parts.length > 1 ? parts[1] : parts[0], parts.length > 1 ? parts[0] : "");
                }
            }
        }
        return out;
    }

    /** Every object of a multi-document manifest, typed by its kind. */
    static List<HasMetadata> kubernetes(Path file) throws IOException {
        KubernetesSerialization serialization = new KubernetesSerialization();
        List<HasMetadata> out = new ArrayList<>();
        for (String document : Files.readString(root().resolve(file)).split("(?m)^---\\s*$")) {
            if (document.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) continue;
            out.add(serialization.unmarshal(document, HasMetadata.class));
        }
        return out;
    }
}
