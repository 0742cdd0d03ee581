package dev.streamparrot.testkit;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This machine's Python standard library, as python3 itself reports it: tests use it as a corpus of real
 * code. Asking python3 (rather than naming a folder) keeps tests free of a Python version or install path.
 */
public final class PythonStdlib {
    private PythonStdlib() {}

    /** The stdlib folder; the calling test is skipped (not failed) where python3 is missing. */
    public static Path path() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            Assumptions.assumeTrue(p.waitFor() == 0 && Files.isDirectory(Path.of(out)), "python3 with a stdlib folder: " + out);
            return Path.of(out);
        } catch (IOException e) {
            Assumptions.abort("no python3: " + e.getMessage());
            throw new AssertionError("unreachable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
