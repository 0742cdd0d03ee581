package dev.streamparrot.ingest;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** The machine's Python standard library: real Python code of every kind, already on disk. */
public final class Stdlib {
    /** Third-party packages and bytecode caches are not the standard library. */
    public static final Set<String> EXCLUDED_DIRS = Set.of(".git", "site-packages", "__pycache__");

    private Stdlib() {}

    public static Path path() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            Assumptions.assumeTrue(p.waitFor() == 0 && Files.isDirectory(Path.of(out)), "python3 with a stdlib directory");
            return Path.of(out);
        } catch (IOException e) {
            Assumptions.abort("no python3: " + e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
