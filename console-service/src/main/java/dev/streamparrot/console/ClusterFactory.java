package dev.streamparrot.console;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.registry.SchemaRegistryClient;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;

import java.util.Map;

/** Where the broker and the schema registry are (config keys shared by every service), and one Admin client. */
@Factory
final class ClusterFactory {
    @Singleton
    KafkaSettings kafkaSettings(@Value("${streamparrot.kafka.bootstrap-servers}") String bootstrapServers,
                                @Value("${streamparrot.schema-registry.url}") String registryUrl) {
        return new KafkaSettings(bootstrapServers, registryUrl);
    }

    @Singleton
    SchemaRegistryClient schemaRegistry(KafkaSettings settings) {
        return new SchemaRegistryClient(settings.schemaRegistryUrl());
    }

    @Singleton
    @Bean(preDestroy = "close")
    Admin admin(KafkaSettings settings) {
        return Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
                CommonClientConfigs.CLIENT_ID_CONFIG, "console",
                CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
    }
}
