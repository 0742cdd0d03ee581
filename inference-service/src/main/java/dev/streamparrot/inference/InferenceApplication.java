package dev.streamparrot.inference;

import io.micronaut.runtime.Micronaut;

/** The inference-service process: HTTP (health, Prometheus metrics, its API) and its Kafka wiring. */
public final class InferenceApplication {
    private InferenceApplication() {}

    public static void main(String[] args) {
        Micronaut.run(InferenceApplication.class, args);
    }
}
