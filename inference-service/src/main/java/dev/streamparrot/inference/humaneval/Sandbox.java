package dev.streamparrot.inference.humaneval;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
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
 *
 * <p>A program passes only if its check() returned: exit status 0 is not enough, since a completion can
 * exit 0 early. The harness sends back a per-run nonce after the program's last line (check(...)) has
 * run; the nonce reaches the harness on a pipe it closes before the program starts. What this does and
 * does not guarantee is written out in {@code sandbox_launcher.py}. A fault of the sandbox itself is an
 * outcome of its own, never a failed program. Thread-safe; each {@link #run} is independent.
 */
public final class Sandbox {

    public enum Isolation {
        NAMESPACES, PLAIN;

        /** As the results file and the summaries write it: "namespaces", "plain". */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

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
    private static final SecureRandom NONCES = new SecureRandom();

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
        // root's python may live under /root (pyenv), which the sandbox uid cannot read
        this(limits, forced, Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3");
    }

    /** @param python the interpreter for the launcher and the program */
    Sandbox(Limits limits, Isolation forced, String python) {
        this.limits = limits;
        this.python = python;
        this.launcher = readLauncher();
        this.isolation = forced != null ? forced : namespacesWork() ? Isolation.NAMESPACES : Isolation.PLAIN;
    }

    public Isolation isolation() {
        return isolation;
    }

    public Limits limits() {
        return limits;
    }

    /**
     * Runs one program to completion, timeout or death. Never throws for anything the program does,
     * nor for a fault of the sandbox itself: that is an outcome of its own, {@link SandboxResult.Outcome#SANDBOX_FAILURE}.
     */
    public SandboxResult run(String program) {
        return run(program, isolation);
    }

    private SandboxResult run(String program, Isolation mode) {
        long start = System.nanoTime();
        Path dir = null;
        try {
            dir = Files.createTempDirectory("sandbox-");
            Path file = dir.resolve("program.py");
            Files.writeString(file, program, StandardCharsets.UTF_8);
            return execute(command(mode, file, dir), mode);
        } catch (IOException e) {
            return SandboxResult.sandboxFailure(mode, "could not prepare or start the run: " + e, Duration.ofNanos(System.nanoTime() - start));
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

    /**
     * The launcher gets a fresh nonce on stdin; the program's output comes on stdout, the launcher's own
     * report on stderr. The program passes only if the harness sent the nonce back, which it does after
     * check() returned (see sandbox_launcher.py).
     */
    private SandboxResult execute(List<String> command, Isolation mode) throws IOException, InterruptedException {
        String nonce = newNonce();
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).start();
        Capture output = new Capture(process.getInputStream(), limits.outputBytes(), "sandbox-output");
        Capture launcherErrors = new Capture(process.getErrorStream(), 16 << 10, "sandbox-report");
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write((nonce + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            // the launcher is gone already; it left no report, which says so below
        }
        boolean finished = process.waitFor(limits.timeout().toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) kill(process, mode);
        int exit = process.waitFor();
        // without namespaces nothing else ends what the program forked and left running: end its group now
        if (mode == Isolation.PLAIN) killGroup(process);
        // a process that escaped the group may still hold the pipes: don't wait for it forever
        String text = output.text(1_000);
        String launcherText = launcherErrors.text(1_000);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        if (!finished) return new SandboxResult(SandboxResult.Outcome.TIMEOUT, exit, text, elapsed, mode);
        LauncherReport report = LauncherReport.parse(launcherText);
        if (report == null) {
            return SandboxResult.sandboxFailure(mode, "the launcher ended with status " + exit + " and no report: "
                    + lastLine(launcherText), elapsed);
        }
        if (!report.started()) {
            return SandboxResult.sandboxFailure(mode, "the harness never started the program (status " + report.status()
                    + "): " + lastLine(text), elapsed);
        }
        boolean checkReturned = report.proof().equals(nonce + "\n");
        SandboxResult.Outcome outcome = report.status() == 0 && checkReturned ? SandboxResult.Outcome.PASSED
                : report.status() == 0 ? SandboxResult.Outcome.EXITED_EARLY
                : report.status() > 128 ? SandboxResult.Outcome.KILLED
                : SandboxResult.Outcome.ERROR;
        return new SandboxResult(outcome, report.status(), text, elapsed, mode);
    }

    /** The launcher's last line: the program's exit status, whether the harness started it, what came back on the proof channel. */
    private record LauncherReport(int status, boolean started, String proof) {
        static LauncherReport parse(String launcherText) {
            String[] words = lastLine(launcherText).split(" ");
            if (words.length != 4 || !words[0].equals("sandbox-report")) return null;
            try {
                String proof = words[3].equals("-") ? "" : new String(HexFormat.of().parseHex(words[3]), StandardCharsets.ISO_8859_1);
                return new LauncherReport(Integer.parseInt(words[1]), words[2].equals("1"), proof);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }

    private static String newNonce() {
        byte[] bytes = new byte[16];
        NONCES.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    static String lastLine(String text) {
        String trimmed = text.strip();
        int newline = trimmed.lastIndexOf('\n');
        return newline < 0 ? trimmed : trimmed.substring(newline + 1);
    }

    private void kill(Process process, Isolation mode) throws InterruptedException {
        if (mode == Isolation.PLAIN) killGroup(process);
        process.destroyForcibly();
    }

    /** The launcher made itself a session (and group) leader: kill the whole group, forks included. */
    private static void killGroup(Process process) throws InterruptedException {
        try {
            new ProcessBuilder("kill", "-KILL", "--", "-" + process.pid()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(2, TimeUnit.SECONDS);
        } catch (IOException e) {
            // fall through to killing what we can see
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
    }

    /** Reads a stream on a thread of its own, keeping the first {@code limit} bytes and dropping the rest. */
    private static final class Capture {
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final Thread reader;

        Capture(InputStream in, int limit, String name) {
            reader = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try (in) {
                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                        synchronized (kept) {
                            int room = limit - kept.size();
                            if (room > 0) kept.write(buffer, 0, Math.min(room, n));
                        }
                    }
                } catch (IOException e) {
                    // the process is gone; what we have is what we report
                }
            }, name);
            reader.setDaemon(true);
            reader.start();
        }

        /** What was read, waiting at most {@code millis} for the end of the stream. */
        String text(long millis) throws InterruptedException {
            reader.join(millis);
            synchronized (kept) {
                return kept.toString(StandardCharsets.UTF_8);
            }
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
