package dev.streamparrot.packer;

import io.micronaut.runtime.Micronaut;

/** The packer-service process: HTTP (health, Prometheus metrics, its API) and its Kafka wiring. */
public final class PackerApplication {
    private PackerApplication() {}

    public static void main(String[] args) {
        Micronaut.run(PackerApplication.class, args);
    }
}
