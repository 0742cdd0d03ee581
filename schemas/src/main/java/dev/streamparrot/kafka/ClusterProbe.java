package dev.streamparrot.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Asks the broker and the schema registry whether they answer, and lists the process's open
 * {@link Breakers} (readers paused by an outage): what each service's health check reports.
 */
public final class ClusterProbe {
    private ClusterProbe() {}

    /** @param details what was found, for the health endpoint */
    public record Result(boolean up, Map<String, Object> details) {}

    public static Result probe(KafkaSettings settings) {
        Map<String, Object> details = new LinkedHashMap<>();
        boolean kafkaUp;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000))) {
            int brokers = admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000)).nodes().get().size();
            details.put("kafka", settings.bootstrapServers() + " (" + brokers + " broker" + (brokers == 1 ? "" : "s") + ")");
            kafkaUp = brokers > 0;
        } catch (Exception e) {
            details.put("kafka", settings.bootstrapServers() + " unreachable: " + e.getMessage());
            kafkaUp = false;
        }
        boolean registryUp;
        try {
            int status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(settings.schemaRegistryUrl() + "/subjects"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            registryUp = status == 200;
            details.put("schemaRegistry", settings.schemaRegistryUrl() + " (HTTP " + status + ")");
        } catch (Exception e) {
            registryUp = false;
            details.put("schemaRegistry", settings.schemaRegistryUrl() + " unreachable: " + e);
        }
        Map<String, String> breakers = Breakers.open();
        if (!breakers.isEmpty()) details.put("breakers", breakers);
        return new Result(kafkaUp && registryUp && breakers.isEmpty(), details);
    }
}
