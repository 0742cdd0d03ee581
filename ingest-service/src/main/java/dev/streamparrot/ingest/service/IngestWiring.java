package dev.streamparrot.ingest.service;

import dev.streamparrot.ingest.filter.CleaningConfig;
import dev.streamparrot.ingest.source.GitSource;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.registry.SchemaRegistryClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** Builds the ingest library's parts from config. */
@Factory
final class IngestWiring {

    @Singleton
    CleaningConfig cleaningConfig(@Value("${streamparrot.ingest.extensions:.py}") List<String> extensions,
                                  @Value("${streamparrot.ingest.allowed-licenses:}") List<String> allowedLicenses) {
        CleaningConfig config = CleaningConfig.defaults().withExtensions(extensions);
        Set<String> allowed = allowedLicenses.stream().map(String::trim).filter(s -> !s.isEmpty())
                .collect(java.util.stream.Collectors.toSet());
        return allowed.isEmpty() ? config : config.withAllowedLicenses(allowed);
    }

    @Singleton
    @Bean(preDestroy = "close")
    CandidatePublisher publisher(KafkaSettings settings, SchemaRegistryClient registry, MeterRegistry metrics) {
        return new CandidatePublisher(settings, registry, metrics);
    }

    @Singleton
    @Bean(preDestroy = "close")
    RepoStateTopic repoStateTopic(KafkaSettings settings, SchemaRegistryClient registry) {
        return new RepoStateTopic(settings, registry);
    }

    @Singleton
    @Bean(preDestroy = "close")
    RepositoryTracker tracker(CleaningConfig cleaning, CandidatePublisher publisher, RepoStateTopic stateTopic,
                              @Value("${streamparrot.data-dir}") String dataDir,
                              @Value("${streamparrot.ingest.clone-timeout:5m}") Duration cloneTimeout,
                              @Value("${streamparrot.ingest.poll-interval:10m}") Duration pollInterval) {
        GitSource git = new GitSource(Path.of(dataDir, "git-cache"), cloneTimeout);
        return new RepositoryTracker(git, cleaning, publisher, stateTopic, pollInterval);
    }
}
