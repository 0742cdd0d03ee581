package dev.streamparrot.testkit;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every service's shell (kit's ClusterFactory and ClusterHealth, Micronaut's Prometheus endpoint) must
 * serve against the real cluster: {@code /health} UP naming the broker, and JVM metrics at {@code /prometheus}.
 * One check, called by each service's own health test.
 */
public final class ServiceShellCheck {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ServiceShellCheck() {}

    /**
     * Starts the service whose beans are on the test classpath against {@link RealCluster} (random HTTP port),
     * with {@code extra} settings on top; the caller closes it.
     */
    public static EmbeddedServer startAgainstRealCluster(Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>(Map.of(
                "micronaut.server.port", -1,
                "streamparrot.kafka.bootstrap-servers", RealCluster.bootstrapServers(),
                "streamparrot.schema-registry.url", RealCluster.registryUrl()));
        config.putAll(extra);
        return ApplicationContext.run(EmbeddedServer.class, config);
    }

    /** The whole check for a service that needs no more than the cluster: start it, assert its shell, stop it. */
    public static void assertServiceShell(Map<String, Object> extra) throws IOException, InterruptedException {
        try (EmbeddedServer server = startAgainstRealCluster(extra)) {
            assertHealthyAndExportsMetrics(server.getURL().toString());
        }
    }

    /**
     * On a machine without a GPU: the service whose beans are on the test classpath, started with
     * {@code deviceKey = gpu}, must refuse to start and say why (the cluster is never reached: the start fails first).
     */
    public static void assertGpuSettingStopsTheStart(String deviceKey, Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>(Map.of(
                "micronaut.server.port", -1,
                deviceKey, "gpu",
                "streamparrot.kafka.bootstrap-servers", "127.0.0.1:9",
                "streamparrot.schema-registry.url", "http://127.0.0.1:9"));
        config.putAll(extra);
        Throwable e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> ApplicationContext.run(EmbeddedServer.class, config).close());
        StringBuilder causes = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) causes.append(t.getMessage()).append('\n');
        assertTrue(causes.toString().contains("device is gpu, but PyTorch") && causes.toString().contains("sees 0 GPUs"),
                causes.toString());
    }

    /** @param baseUrl the running service, e.g. {@code EmbeddedServer.getURL().toString()} */
    public static void assertHealthyAndExportsMetrics(String baseUrl) throws IOException, InterruptedException {
        HttpResponse<String> health = get(baseUrl + "/health");
        assertEquals(200, health.statusCode(), health.body());
        assertTrue(health.body().contains("\"status\":\"UP\""), health.body());
        // the cluster indicator's details: proves kit's ClusterHealth bean is wired into this service
        assertTrue(health.body().contains(RealCluster.bootstrapServers()), health.body());
        HttpResponse<String> metrics = get(baseUrl + "/prometheus");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("jvm_memory_used_bytes"), metrics.body());
    }

    public static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
