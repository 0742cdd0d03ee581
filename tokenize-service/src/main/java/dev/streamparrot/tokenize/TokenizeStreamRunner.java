package dev.streamparrot.tokenize;

import dev.streamparrot.artifacts.ArtifactStore;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.tokenize.stream.TokenizeStream;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import jakarta.annotation.PreDestroy;

import java.nio.file.Path;
import java.util.Map;

/** Runs the tokenize stream inside the service, from startup to shutdown. */
@Context
@Requires(property = "streamparrot.tokenize.stream.enabled", notEquals = "false")
final class TokenizeStreamRunner implements AutoCloseable {
    private final TokenizeStream stream;

    TokenizeStreamRunner(KafkaSettings kafka, MeterRegistry meters, ArtifactStore store,
                         @Value("${streamparrot.data-dir}") String dataDir,
                         @Value("${streamparrot.tokenize.application-id:tokenize}") String applicationId,
                         @Value("${streamparrot.tokenize.threads:0}") int threads) {
        this.stream = new TokenizeStream(kafka, applicationId, Path.of(dataDir, "streams").toString(),
                threads > 0 ? threads : TokenizeStream.defaultThreads(), meters, Map.of(), store).start();
    }

    @PreDestroy
    @Override
    public void close() {
        stream.close();
    }
}
