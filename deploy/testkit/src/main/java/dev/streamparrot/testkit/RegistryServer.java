package dev.streamparrot.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real schema registry (Apicurio Registry 2.4.2, built by {@code deploy/registry}) in a child process,
 * on 127.0.0.1. Its Confluent-compatible API is at {@link #confluentUrl()}.
 */
public final class RegistryServer implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private RegistryServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts the registry and waits until it answers.
     *
     * @param dataDir where it keeps its H2 database; null keeps everything in memory
     * @param log     file that receives its output
     */
    public static RegistryServer start(int port, Path dataDir, Path log, Duration timeout) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command(port, dataDir)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        RegistryServer server = new RegistryServer(builder.start(), port, log);
        server.awaitReady(timeout);
        return server;
    }

    /**
     * The command line of a registry on 127.0.0.1:port.
     *
     * @param dataDir where it keeps its H2 database across restarts; null keeps everything in memory
     */
    public static List<String> command(int port, Path dataDir) throws IOException {
        List<String> command = new ArrayList<>();
        if (dataDir != null) {
            Files.createDirectories(dataDir);
            command.addAll(List.of("/usr/bin/env", "REGISTRY_DATASOURCE_URL=jdbc:h2:file:"
                    + dataDir.toAbsolutePath().resolve("registry") + ";DB_CLOSE_ON_EXIT=FALSE"));
        }
        command.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                "-Dquarkus.log.level=WARN", "-Dquarkus.banner.enabled=false",
                "-jar", ProjectPaths.registryJar().toString()));
        return command;
    }

    public String confluentUrl() {
        return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    /** True when the registry answers the Confluent API now. */
    public static boolean answers(String confluentUrl) {
        try {
            HttpResponse<Void> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(confluentUrl + "/subjects")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void awaitReady(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the schema registry exited with " + process.exitValue() + " on port " + port
                        + "; its log: " + log + "\n" + tail());
            }
            if (answers(confluentUrl())) return;
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the registry", e);
            }
        }
        close();
        throw new IOException("the schema registry did not answer within " + timeout + "; its log: " + log + "\n" + tail());
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
