package dev.streamparrot.inference.humaneval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.streamparrot.inference.humaneval.Sandbox.Isolation;
import dev.streamparrot.inference.humaneval.SandboxResult.Outcome;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Hostile programs end as failed samples, change nothing outside the sandbox, and leave no process behind. */
class SandboxTest {
    private static final Sandbox.Limits LIMITS = new Sandbox.Limits(Duration.ofSeconds(2), 1L << 30, 32, 64 << 10);
    private static final Sandbox SANDBOX = new Sandbox(LIMITS);
    private static final Sandbox PLAIN = new Sandbox(LIMITS, Isolation.PLAIN);
    private long sandboxDirsBefore;

    @BeforeEach
    void countDirs() throws IOException {
        sandboxDirsBefore = sandboxDirs();
    }

    @AfterEach
    void nothingLeftBehind() throws Exception {
        assertEquals(sandboxDirsBefore, sandboxDirs(), "throwaway directories are deleted");
        for (int i = 0; i < 40 && !leftoverPrograms().isEmpty(); i++) Thread.sleep(50);
        assertEquals(List.of(), leftoverPrograms(), "processes outlived their sandbox");
    }

    private static long sandboxDirs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("sandbox-")).count();
        }
    }

    private static List<String> leftoverPrograms() {
        return ProcessHandle.allProcesses()
                .map(p -> p.info().commandLine().orElse(""))
                .filter(c -> c.contains("program.py"))
                .toList();
    }

    @Test
    void runsHereWithNamespaces() {
        // this machine (root, unshare) should get the strong isolation; elsewhere the fallback is tested below
        System.out.println("sandbox isolation: " + SANDBOX.isolation());
        assumeTrue("root".equals(System.getProperty("user.name")));
        assertEquals(Isolation.NAMESPACES, SANDBOX.isolation());
    }

    @Test
    void exitStatusDecidesPassOrFail() {
        SandboxResult passed = SANDBOX.run("assert sorted([3, 1, 2]) == [1, 2, 3]\n");
        assertEquals(Outcome.PASSED, passed.outcome());
        assertEquals(SANDBOX.isolation(), passed.isolation());
        SandboxResult failed = SANDBOX.run("def check(f):\n    assert f(2) == 5\ncheck(lambda x: x * 2)\n");
        assertEquals(Outcome.ERROR, failed.outcome());
        assertEquals("failed: AssertionError", failed.reason());
        assertTrue(SANDBOX.run("def f(:\n").reason().contains("SyntaxError"));
    }

    /** A HumanEval-shaped program: {@code add}'s body is the completion, then the tests and the call of check. */
    private static String problem(String body) {
        return "def add(a, b):\n" + body + "\n\ndef check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(5, 7) == 12\n"
                + "\ncheck(add)\n";
    }

    @Test
    void aCompletionThatLeavesBeforeCheckReturnsFails() {
        // each of these ends the process with status 0 (or fakes its way there) before check() has run its asserts
        Map<String, String> cheats = new LinkedHashMap<>();
        cheats.put("os._exit(0)", "    import os\n    os._exit(0)\n");
        cheats.put("sys.exit(0)", "    import sys\n    sys.exit(0)\n");
        cheats.put("raise SystemExit", "    raise SystemExit\n");
        cheats.put("exit() builtin", "    exit()\n");
        cheats.put("silenced print and stdout, then _exit", """
                    import builtins, os, sys
                    builtins.print = lambda *a, **k: None
                    sys.stdout = open(os.devnull, 'w')
                    os._exit(0)
                """);
        cheats.put("closed stdout and stderr, then _exit", "    import os\n    os.close(1)\n    os.close(2)\n    os._exit(0)\n");
        cheats.put("SIGTERM handler that exits 0", """
                    import os, signal
                    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
                    os.kill(os.getpid(), signal.SIGTERM)
                """);
        cheats.put("SIGTERM to itself", "    import os, signal\n    os.kill(os.getpid(), signal.SIGTERM)\n");
        cheats.put("exit 0 from an atexit handler after failing", """
                    import atexit, os
                    atexit.register(lambda: os._exit(0))
                    return 0
                """);
        cheats.put("excepthook that exits 0", """
                    import os, sys
                    sys.excepthook = lambda *a: os._exit(0)
                    return 0
                """);
        cheats.put("replays everything it can read: environment, command line, files, fds", """
                    import os, sys
                    seen = b''
                    for path in ['/proc/self/environ', '/proc/self/cmdline', 'program.py', '/proc/%d/environ' % os.getppid(),
                                 '/proc/%d/cmdline' % os.getppid()] + ['/proc/self/fd/' + f for f in os.listdir('/proc/self/fd')]:
                        try:
                            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
                            seen += os.read(fd, 1 << 16) + b'\\n'
                            os.close(fd)
                        except OSError:
                            pass
                    for word in seen.replace(b'\\0', b'\\n').split():
                        for fd in range(1, 64):
                            try:
                                os.write(fd, word + b'\\n')
                            except OSError:
                                pass
                    os._exit(0)
                """);
        List<String> wrong = new ArrayList<>();
        for (Sandbox sandbox : List.of(SANDBOX, PLAIN)) {
            for (Map.Entry<String, String> cheat : cheats.entrySet()) {
                SandboxResult r = sandbox.run(problem(cheat.getValue()));
                // a failure of the model, not of the sandbox
                if (r.passed() || r.sandboxFailure() || !r.reason().startsWith("failed: ")) {
                    wrong.add(sandbox.isolation() + " " + cheat.getKey() + ": " + r.reason());
                }
            }
        }
        assertEquals(List.of(), wrong, "cheats scored as passed, or as the sandbox's fault");
        SandboxResult exited = SANDBOX.run(problem(cheats.get("sys.exit(0)")));
        assertEquals(Outcome.EXITED_EARLY, exited.outcome());
        assertEquals("failed: the program exited with status 0 before check() returned", exited.reason());
    }

    @Test
    void aCorrectCompletionThatMeddlesWithTheRuntimeStillPasses() {
        // it breaks what a naive harness would use after check() returns; ours kept its own references
        SandboxResult r = SANDBOX.run(problem("""
                    import builtins, os, sys
                    builtins.print = None
                    os.write = os._exit = sys.exit = None
                    sys.stdout = sys.stderr = None
                    return a + b
                """));
        assertTrue(r.passed(), r.reason() + " " + r.output());
        assertTrue(PLAIN.run(problem("    return a + b\n")).passed());
    }

    @Test
    void aSandboxThatCannotStartIsASandboxFailureNotAFailedProgram() {
        for (Isolation isolation : Isolation.values()) {
            SandboxResult r = new Sandbox(LIMITS, isolation, "/nonexistent/python3").run(problem("    return a + b\n"));
            assertEquals(Outcome.SANDBOX_FAILURE, r.outcome(), r.reason());
            assertTrue(r.reason().startsWith("failed: sandbox: "), r.reason());
            assertEquals(isolation, r.isolation());
        }
    }

    @Test
    void aRunKilledByTheHostIsASandboxFailureNotAFailedProgram() throws Exception {
        for (Sandbox sandbox : List.of(SANDBOX, PLAIN)) {
            CompletableFuture<SandboxResult> run = CompletableFuture.supplyAsync(
                    () -> sandbox.run("import time\ntime.sleep(1.5)\n"));
            // the host (here: us, as the OOM killer would) kills the launcher while the program runs
            List<ProcessHandle> launchers = List.of();
            for (int i = 0; i < 100 && launchers.isEmpty(); i++) {
                Thread.sleep(20);
                launchers = ProcessHandle.current().descendants()
                        .filter(p -> p.info().commandLine().orElse("").contains("sandbox-report"))
                        .filter(p -> p.info().command().orElse("").contains("python"))
                        .toList();
            }
            assertFalse(launchers.isEmpty(), "found the launcher");
            launchers.forEach(ProcessHandle::destroyForcibly);
            SandboxResult r = run.get(10, TimeUnit.SECONDS);
            assertEquals(Outcome.SANDBOX_FAILURE, r.outcome(), sandbox.isolation() + ": " + r.reason());
            assertTrue(r.reason().contains("no report"), r.reason());
        }
    }

    @Test
    void anInfiniteLoopTimesOut() {
        SandboxResult r = SANDBOX.run("while True:\n    pass\n");
        assertEquals(Outcome.TIMEOUT, r.outcome());
        assertEquals("timed out", r.reason());
        assertTrue(r.elapsed().compareTo(Duration.ofSeconds(4)) < 0, "took " + r.elapsed());
    }

    @Test
    void aForkBombIsContainedAndKilledWhole() {
        SandboxResult r = SANDBOX.run("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n");
        assertFalse(r.passed());
        // and we can still start processes afterwards
        assertTrue(SANDBOX.run("print('still fine')\n").passed());
    }

    @Test
    void allocatingTenGigabytesFails() {
        SandboxResult r = SANDBOX.run("x = bytearray(10 * 1024 ** 3)\nprint(len(x))\n");
        assertEquals(Outcome.ERROR, r.outcome());
        assertTrue(r.output().contains("MemoryError"), r.output());
    }

    @Test
    void writesOutsideItsDirectoryDoNotLand() throws Exception {
        assumeTrue(SANDBOX.isolation() == Isolation.NAMESPACES, "only the namespace sandbox guards the file system");
        Path victimDir = Files.createTempDirectory("victim-");
        try {
            Files.setPosixFilePermissions(victimDir, PosixFilePermissions.fromString("rwxrwxrwx"));
            Path victim = victimDir.resolve("victim.txt");
            Files.writeString(victim, "original");
            Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-rw-rw-"));
            String program = """
                    import os
                    for path, mode in [(%s, 'w'), (%s, 'w'), (%s, 'a')]:
                        try:
                            with open(path, mode) as f:
                                f.write('pwned')
                            print('wrote', path)
                        except OSError as e:
                            print('refused', path, e)
                    open('own.txt', 'w').write('mine')
                    print('own-dir-ok')
                    raise SystemExit(1)
                    """.formatted(py(victim), py(victimDir.resolve("new.txt")), py(Path.of("/etc/hostname")));
            SandboxResult r = SANDBOX.run(program);
            assertFalse(r.passed());
            assertTrue(r.output().contains("own-dir-ok"), r.output());
            assertEquals("original", Files.readString(victim));
            try (Stream<Path> files = Files.list(victimDir)) {
                assertEquals(List.of(victim), files.toList());
            }
        } finally {
            try (Stream<Path> files = Files.list(victimDir)) {
                for (Path p : files.toList()) Files.delete(p);
            }
            Files.delete(victimDir);
        }
    }

    private static String py(Path p) {
        return "'" + p + "'";
    }

    @Test
    void noNetworkEvenToLoopback() throws Exception {
        assumeTrue(SANDBOX.isolation() == Isolation.NAMESPACES, "only the namespace sandbox cuts the network");
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            AtomicInteger accepted = new AtomicInteger();
            Thread acceptor = new Thread(() -> {
                try {
                    server.setSoTimeout(5_000);
                    try (Socket s = server.accept()) {
                        accepted.incrementAndGet();
                    }
                } catch (SocketTimeoutException e) {
                    // nobody came: what we want
                } catch (IOException e) {
                    // closed
                }
            });
            acceptor.start();
            SandboxResult r = SANDBOX.run("""
                    import socket
                    try:
                        socket.create_connection(('127.0.0.1', %d), timeout=1).sendall(b'hello')
                        print('connected')
                    except OSError as e:
                        print('blocked', e)
                    raise SystemExit(1)
                    """.formatted(server.getLocalPort()));
            assertFalse(r.passed());
            assertTrue(r.output().contains("blocked"), r.output());
            server.close();
            acceptor.join(6_000);
            assertEquals(0, accepted.get());
        }
    }

    @Test
    void cannotKillItsParentOrOurProcesses() throws Exception {
        assumeTrue(SANDBOX.isolation() == Isolation.NAMESPACES, "kill(-1) outside namespaces would hit our own processes");
        Process sentinel = new ProcessBuilder("sleep", "30").start();
        try {
            SandboxResult r = SANDBOX.run("""
                    import os, signal
                    for target in (os.getppid(), -1, %d):
                        try:
                            os.kill(target, signal.SIGKILL)
                            print('sent', target)
                        except OSError as e:
                            print('refused', target, e)
                    raise SystemExit(1)
                    """.formatted(sentinel.pid()));
            assertFalse(r.passed());
            assertTrue(sentinel.isAlive(), "the sandbox killed a process outside it");
        } finally {
            sentinel.destroyForcibly();
        }
    }

    @Test
    void outputIsCappedAndStdinIsClosed() {
        SandboxResult r = SANDBOX.run("import sys\nassert sys.stdin.read() == ''\nprint('x' * 10_000_000)\n");
        assertTrue(r.passed(), r.reason());
        assertEquals(LIMITS.outputBytes(), r.output().length());
    }

    @Test
    void thePlainFallbackStillTimesOutAndKillsEveryFork() {
        Sandbox plain = new Sandbox(LIMITS, Isolation.PLAIN);
        SandboxResult r = plain.run("import os, time\nfor _ in range(3):\n    os.fork()\ntime.sleep(60)\n");
        assertEquals(Outcome.TIMEOUT, r.outcome());
        assertTrue(plain.run("print('ok')\n").passed());
        assertEquals(Outcome.ERROR, plain.run("x = bytearray(10 * 1024 ** 3)\n").outcome());
    }
}
