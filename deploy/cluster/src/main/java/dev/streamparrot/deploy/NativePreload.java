package dev.streamparrot.deploy;

import dev.streamparrot.launcher.ProjectPaths;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a JVM that runs libtorch should preload: the MKL shim of {@code model/native} (MKL's fast kernels on
 * every x86 CPU) and tcmalloc (Debian's {@code libtcmalloc-minimal4}), where each is available. Measured on
 * this machine, the two take the cpu-tiny trainer from ~300 to several thousand tokens/s; without them
 * everything still works, only slower. {@code model/native/build.sh} builds the shim (gcc) and prints the value.
 */
final class NativePreload {
    private NativePreload() {}

    /** The LD_PRELOAD value, or empty (with the reason on stderr) where nothing can be preloaded. */
    static Optional<String> libtorch() {
        Path script = ProjectPaths.root().resolve("model/native/build.sh");
        try {
            Process build = new ProcessBuilder("bash", script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String value = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (build.waitFor() == 0 && !value.isEmpty()) return Optional.of(value);
            System.err.println("warning: " + script + " failed; libtorch runs without the MKL shim and tcmalloc (slower)");
        } catch (IOException e) {
            System.err.println("warning: cannot build the MKL shim (" + e.getMessage() + "); libtorch runs slower");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Optional.empty();
    }
}
