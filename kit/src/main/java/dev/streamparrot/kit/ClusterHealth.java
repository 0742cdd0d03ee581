package dev.streamparrot.kit;

import dev.streamparrot.kafka.ClusterProbe;
import dev.streamparrot.kafka.KafkaSettings;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;

import java.util.concurrent.CompletableFuture;

/** Every service is healthy only while it can reach the broker and the schema registry (and no reader's breaker is open). */
@Singleton
public final class ClusterHealth implements HealthIndicator {
    private final KafkaSettings settings;

    ClusterHealth(KafkaSettings settings) {
        this.settings = settings;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        // The probe blocks on the network: keep it off the HTTP event loop.
        return Publishers.fromCompletableFuture(CompletableFuture.supplyAsync(() -> {
            ClusterProbe.Result probe = ClusterProbe.probe(settings);
            return HealthResult.builder("cluster", probe.up() ? HealthStatus.UP : HealthStatus.DOWN).details(probe.details()).build();
        }));
    }
}
