package dev.streamparrot.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real schema registry (Apicurio Registry 2.4.2, built by {@code deploy/registry}) in a child process,
 * on 127.0.0.1. Its Confluent-compatible API is at {@link #confluentUrl()}. Given a data folder it keeps
 * its state in an H2 database file there ({@link #datasourceUrl}), which survives restarts and kill -9.
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
            command.addAll(List.of("/usr/bin/env", "REGISTRY_DATASOURCE_URL=" + datasourceUrl(dataDir)));
        }
        command.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                "-Dquarkus.log.level=WARN", "-Dquarkus.banner.enabled=false",
                "-jar", ProjectPaths.registryJar().toString()));
        return command;
    }

    /**
     * The H2 database file of a registry whose data lives in dataDir. {@code WRITE_DELAY=0}: H2's default
     * keeps committed changes in memory for up to 500 ms before writing them to the file, so a registry
     * killed (kill -9, out of memory) right after registering a schema forgot it, and handed its id to the next,
     * different schema while records on the topics still carried it. With 0 H2 writes the store at every
     * commit, before the registry answers. {@code DB_CLOSE_ON_EXIT=FALSE}: the registry, not H2's shutdown
     * hook, closes the database, so requests still in flight at a stop are not cut off.
     */
    public static String datasourceUrl(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("registry") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
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
        return HttpProbe.answersOk(confluentUrl + "/subjects");
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

    /** Kills the process as a crash or {@code kill -9} would: no shutdown of any kind. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** Stops it politely (SIGTERM) and waits until it exited. */
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
