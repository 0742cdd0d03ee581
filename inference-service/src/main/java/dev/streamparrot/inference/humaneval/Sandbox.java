package dev.streamparrot.inference.humaneval;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Runs untrusted Python (model-written HumanEval completions) in a separate python3 process.
 *
 * <p>Where it can (root, {@code unshare} works) the program runs in new mount, network and pid
 * namespaces, as a uid of its own, with every mount read-only and private tmpfs over /tmp: it
 * cannot reach the network, write outside its throwaway directory, or signal our processes, and
 * killing the namespace's first process on timeout kills every process it forked. Elsewhere it
 * falls back to resource limits plus a process group killed as a whole ({@link Isolation#PLAIN}).
 * Always: a wall-clock timeout, an address-space limit, a process limit, stdin closed, output capped.
 * Thread-safe; each {@link #run} is independent.
 */
public final class Sandbox {

    public enum Isolation { NAMESPACES, PLAIN }

    /**
     * @param maxProcesses RLIMIT_NPROC for the program's uid (its threads count too)
     * @param outputBytes  how much of stdout+stderr is kept; the rest is read and dropped
     */
    public record Limits(Duration timeout, long memoryBytes, int maxProcesses, int outputBytes) {
        public static final Limits DEFAULT = new Limits(Duration.ofSeconds(3), 2L << 30, 32, 64 << 10);
    }

    /** Sandboxed programs get uids from here, far above any real account, a different one per concurrent run. */
    private static final int FIRST_UID = 200_000;
    private static final int UID_POOL = 1_000;

    private final Limits limits;
    private final String python;
    private final String launcher;
    private final Isolation isolation;
    private final AtomicInteger runs = new AtomicInteger();

    public Sandbox() {
        this(Limits.DEFAULT);
    }

    /** Uses namespaces if a probe run shows they work here, else {@link Isolation#PLAIN}. */
    public Sandbox(Limits limits) {
        this(limits, null);
    }

    /** @param forced the isolation to use, or null to probe */
    Sandbox(Limits limits, Isolation forced) {
        this.limits = limits;
        // root's python may live under /root (pyenv), which the sandbox uid cannot read
        this.python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        this.launcher = readLauncher();
        this.isolation = forced != null ? forced : namespacesWork() ? Isolation.NAMESPACES : Isolation.PLAIN;
    }

    public Isolation isolation() {
        return isolation;
    }

    public Limits limits() {
        return limits;
    }

    /** Runs one program to completion, timeout or death; never throws for anything the program does. */
    public SandboxResult run(String program) {
        return run(program, isolation);
    }

    private SandboxResult run(String program, Isolation mode) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("sandbox-");
            Path file = dir.resolve("program.py");
            Files.writeString(file, program, StandardCharsets.UTF_8);
            return execute(command(mode, file, dir), mode);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running a sandboxed program", e);
        } finally {
            if (dir != null) deleteTree(dir);
        }
    }

    private List<String> command(Isolation mode, Path file, Path dir) {
        List<String> cmd = new ArrayList<>();
        if (mode == Isolation.NAMESPACES) {
            // --kill-child: if we SIGKILL unshare, the namespace's first process dies, and with it all the rest
            cmd.addAll(List.of("unshare", "--mount", "--net", "--pid", "--fork", "--kill-child", "--mount-proc"));
        }
        long cpuSeconds = limits.timeout().toSeconds() + 2;
        int uid = FIRST_UID + Math.floorMod(runs.getAndIncrement(), UID_POOL);
        cmd.addAll(List.of(python, "-I", "-c", launcher, mode == Isolation.NAMESPACES ? "isolated" : "plain",
                file.toString(), dir.toString(), python, Long.toString(limits.memoryBytes()), Long.toString(cpuSeconds),
                Integer.toString(limits.maxProcesses()), Integer.toString(uid)));
        return cmd;
    }

    private SandboxResult execute(List<String> command, Isolation mode) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> drain(process.getInputStream(), output), "sandbox-output");
        reader.setDaemon(true);
        reader.start();
        boolean finished = process.waitFor(limits.timeout().toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) kill(process, mode);
        int exit = process.waitFor();
        // a process that escaped the group may still hold the pipe: don't wait for it forever
        reader.join(1_000);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        String text;
        synchronized (output) {
            text = output.toString(StandardCharsets.UTF_8);
        }
        SandboxResult.Outcome outcome = !finished ? SandboxResult.Outcome.TIMEOUT
                : exit == 0 ? SandboxResult.Outcome.PASSED
                : exit > 128 ? SandboxResult.Outcome.KILLED
                : SandboxResult.Outcome.ERROR;
        return new SandboxResult(outcome, exit, text, elapsed);
    }

    private void kill(Process process, Isolation mode) throws InterruptedException {
        if (mode == Isolation.PLAIN) {
            // the launcher made itself a session (and group) leader: kill the whole group, forks included
            try {
                new ProcessBuilder("kill", "-KILL", "--", "-" + process.pid()).start().waitFor(2, TimeUnit.SECONDS);
            } catch (IOException e) {
                // fall through to killing what we can see
            }
            process.descendants().forEach(ProcessHandle::destroyForcibly);
        }
        process.destroyForcibly();
    }

    private void drain(InputStream in, ByteArrayOutputStream output) {
        byte[] buffer = new byte[8192];
        try (in) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                synchronized (output) {
                    int room = limits.outputBytes() - output.size();
                    if (room > 0) output.write(buffer, 0, Math.min(room, n));
                }
            }
        } catch (IOException e) {
            // the process is gone; what we have is what we report
        }
    }

    private boolean namespacesWork() {
        try {
            SandboxResult probe = run("print('sandbox-probe')", Isolation.NAMESPACES);
            return probe.passed() && probe.output().contains("sandbox-probe");
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String readLauncher() {
        try (InputStream in = Sandbox.class.getResourceAsStream("/humaneval/sandbox_launcher.py")) {
            if (in == null) throw new IllegalStateException("sandbox_launcher.py is missing from the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a file we cannot remove stays behind in the temp directory; not worth failing a sample
                }
            });
        } catch (IOException e) {
            // same
        }
    }
}
