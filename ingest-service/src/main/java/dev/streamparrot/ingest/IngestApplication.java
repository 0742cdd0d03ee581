package dev.streamparrot.ingest;

import io.micronaut.runtime.Micronaut;

/** The ingest-service process: HTTP (health, Prometheus metrics, its API) and its Kafka wiring. */
public final class IngestApplication {
    private IngestApplication() {}

    public static void main(String[] args) {
        Micronaut.run(IngestApplication.class, args);
    }
}
