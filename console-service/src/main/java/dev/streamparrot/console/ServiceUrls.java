package dev.streamparrot.console;

import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

import java.net.URI;

/** Where the services are that the console shows and proxies to. */
@Singleton
final class ServiceUrls {
    final URI ingest;
    final URI trainer;
    final URI inference;

    ServiceUrls(@Value("${streamparrot.console.ingest-url}") String ingest,
                @Value("${streamparrot.console.trainer-url}") String trainer,
                @Value("${streamparrot.console.inference-url}") String inference) {
        this.ingest = URI.create(ingest);
        this.trainer = URI.create(trainer);
        this.inference = URI.create(inference);
    }
}
