package dev.streamparrot.trainer;

import io.micronaut.runtime.Micronaut;

/** The trainer-service process: HTTP (health, Prometheus metrics, its API) and its Kafka wiring. */
public final class TrainerApplication {
    private TrainerApplication() {}

    public static void main(String[] args) {
        Micronaut.run(TrainerApplication.class, args);
    }
}
