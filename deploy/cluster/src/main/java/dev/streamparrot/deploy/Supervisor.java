package dev.streamparrot.deploy;

import dev.streamparrot.launcher.HttpProbe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Starts, finds and stops the local cluster's processes. Each one is recorded by a pid file under
 * {@code <home>/pids} and writes to {@code <home>/logs/<name>.log}; processes outlive the command that
 * started them (they run in their own session), so {@code status} and {@code stop} find them later.
 */
final class Supervisor {
    private final Path home;

    Supervisor(Path home) {
        this.home = home;
    }

    Path log(String name) {
        return home.resolve("logs").resolve(name + ".log");
    }

    /** The live process recorded for this component, if any. */
    Optional<ProcessHandle> running(String name) {
        Path pidFile = home.resolve("pids").resolve(name + ".pid");
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Starts the component unless it already runs. A port held by some other program is an error that
     * says which port, rather than a second process that dies in its log.
     *
     * @return true when it was started now
     */
    boolean start(Component component) throws IOException {
        if (running(component.name()).isPresent()) return false;
        if (!portFree(component.port())) {
            throw new IllegalStateException("port " + component.port() + " on 127.0.0.1, which " + component.name()
                    + " needs, is already taken by another program; stop that program or choose other ports");
        }
        Files.createDirectories(home.resolve("logs"));
        Files.createDirectories(home.resolve("pids"));
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) command.add("/usr/bin/setsid");
        command.addAll(component.command());
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(component.name()).toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        Files.writeString(home.resolve("pids").resolve(component.name() + ".pid"), Long.toString(process.pid()));
        return true;
    }

    /** Waits until the component answers, or fails with the end of its log. */
    void awaitReady(Component component, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (running(component.name()).isEmpty()) {
                throw new IllegalStateException(component.name() + " exited; the end of " + log(component.name()) + ":\n"
                        + tail(log(component.name()), 25));
            }
            if (ready(component)) return;
            Thread.sleep(300);
        }
        throw new IllegalStateException(component.name() + " did not become ready within " + timeout.toSeconds()
                + " s; the end of " + log(component.name()) + ":\n" + tail(log(component.name()), 25));
    }

    boolean ready(Component component) {
        if (component.healthUrl() == null) return !portFree(component.port());
        return HttpProbe.answersOk(component.healthUrl());
    }

    /** Stops the component and its children: politely first, then forcibly. */
    boolean stop(String name) throws InterruptedException {
        Optional<ProcessHandle> process = running(name);
        if (process.isEmpty()) return false;
        List<ProcessHandle> all = new ArrayList<>(process.get().descendants().toList());
        all.add(process.get());
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (all.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) Thread.sleep(200);
        all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        try {
            Files.deleteIfExists(home.resolve("pids").resolve(name + ".pid"));
        } catch (IOException ignored) {
            // a stale pid file is harmless: the pid is checked for life before use
        }
        return true;
    }

    static boolean portFree(int port) {
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress("127.0.0.1", port), 300);
            return false;
        } catch (IOException connectFailed) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress("127.0.0.1", port));
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
