package dev.streamparrot.console;

import io.micronaut.runtime.Micronaut;

/** The console-service process: the web console's pages, its JSON endpoints and the proxies to the other services. */
public final class ConsoleApplication {
    private ConsoleApplication() {}

    public static void main(String[] args) {
        Micronaut.run(ConsoleApplication.class, args);
    }
}
