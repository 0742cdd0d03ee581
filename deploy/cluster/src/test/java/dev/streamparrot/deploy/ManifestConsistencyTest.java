package dev.streamparrot.deploy;

import dev.streamparrot.launcher.ProjectPaths;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Docker cannot run here, so the multi-machine manifests are checked against the code instead: each
 * service with its module, main class and port; topics made by the catalog's own command; and the
 * environment variables naming config keys that every service reads.
 */
class ManifestConsistencyTest {
    static final Path ROOT = ProjectPaths.root();
    static final List<String> CONFIG_KEYS = List.of("streamparrot.kafka.bootstrap-servers", "streamparrot.schema-registry.url",
            "streamparrot.data-dir");

    @Test
    void composeAndKubernetesRunEveryServiceOfTheCatalog() throws Exception {
        String compose = Files.readString(ROOT.resolve("deploy/docker/docker-compose.yml"));
        String k8s = Files.readString(ROOT.resolve("deploy/k8s/streamparrot.yaml"));
        for (ServiceCatalog.Service service : ServiceCatalog.ALL) {
            for (String manifest : List.of(compose, k8s)) {
                assertTrue(manifest.contains("[\"" + service.module() + "\", \"" + service.mainClass() + "\"]"), service + " in manifest");
                assertTrue(manifest.contains("MICRONAUT_SERVER_PORT, value: \"" + service.port() + "\"")
                        || manifest.contains("MICRONAUT_SERVER_PORT: " + service.port()), service.name() + " port");
            }
            assertTrue(Files.exists(ROOT.resolve(service.module()).resolve("src/main/java")
                    .resolve(service.mainClass().replace('.', '/') + ".java")), service.mainClass());
        }
        for (String manifest : List.of(compose, k8s)) {
            assertTrue(manifest.contains("\"create-topics\""), "topics come from the catalog's create-topics command");
        }
    }

    @Test
    void environmentVariablesNameTheConfigKeysEveryServiceReads() throws Exception {
        String compose = Files.readString(ROOT.resolve("deploy/docker/docker-compose.yml"));
        String k8s = Files.readString(ROOT.resolve("deploy/k8s/streamparrot.yaml"));
        for (String key : CONFIG_KEYS) {
            // Micronaut maps STREAMPARROT_KAFKA_BOOTSTRAP_SERVERS to streamparrot.kafka.bootstrap-servers.
            String variable = key.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
            assertTrue(compose.contains(variable + ":"), variable + " in compose");
            assertTrue(k8s.contains(variable + ":"), variable + " in k8s");
            for (ServiceCatalog.Service service : ServiceCatalog.ALL) {
                String yml = Files.readString(ROOT.resolve(service.module()).resolve("src/main/resources/application.yml"));
                String[] parts = key.split("\\.");
                assertTrue(yml.contains(parts[0] + ":") && yml.contains(parts[parts.length - 1] + ":"),
                        service.module() + " application.yml defines " + key);
            }
        }
    }
}
