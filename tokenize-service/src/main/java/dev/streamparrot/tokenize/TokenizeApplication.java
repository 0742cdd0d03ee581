package dev.streamparrot.tokenize;

import io.micronaut.runtime.Micronaut;

/** The tokenize-service process: HTTP (health, Prometheus metrics, its API) and its Kafka wiring. */
public final class TokenizeApplication {
    private TokenizeApplication() {}

    public static void main(String[] args) {
        Micronaut.run(TokenizeApplication.class, args);
    }
}
