package dev.streamparrot.console;

import dev.streamparrot.kafka.KafkaSettings;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;

import java.util.Map;

/** The console's one Admin client (the cluster settings come from kit's {@code ClusterFactory}). */
@Factory
final class AdminFactory {
    @Singleton
    @Bean(preDestroy = "close")
    Admin admin(KafkaSettings settings) {
        return Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
                CommonClientConfigs.CLIENT_ID_CONFIG, "console",
                CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
    }
}
