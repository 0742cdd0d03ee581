package dev.streamparrot.kit;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.registry.SchemaRegistryClient;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

/** Where the broker and the schema registry are: the config keys every service shares, read once for all of them. */
@Factory
public final class ClusterFactory {
    @Singleton
    KafkaSettings kafkaSettings(@Value("${streamparrot.kafka.bootstrap-servers}") String bootstrapServers,
                                @Value("${streamparrot.schema-registry.url}") String registryUrl) {
        return new KafkaSettings(bootstrapServers, registryUrl);
    }

    @Singleton
    SchemaRegistryClient schemaRegistry(KafkaSettings settings) {
        return new SchemaRegistryClient(settings.schemaRegistryUrl());
    }
}
