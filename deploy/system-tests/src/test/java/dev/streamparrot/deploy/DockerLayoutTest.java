package dev.streamparrot.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The image is made of two scripts, run here as the Dockerfile runs them (no Docker engine on this machine):
 * {@code layout.sh} lays the built modules out for /app with classpath files that name only paths inside the
 * layout, and {@code run-service.sh}, the entrypoint, starts a module from it, preloading the MKL shim and
 * tcmalloc for the modules that run libtorch, as the local cluster's NativePreload does.
 */
class DockerLayoutTest {

    static Path mavenRepository() {
        String configured = System.getProperty("maven.repo.local");
        return configured != null ? Path.of(configured) : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    @Test
    void layoutNamesOnlyItsOwnPathsAndTheEntrypointRunsAService(@TempDir Path dir) throws Exception {
        Path app = dir.resolve("app");
        String laid = run(Map.of("LAYOUT_LINK", "1"), "sh", script("layout.sh"), DeploymentFiles.root().toString(),
                mavenRepository().toString(), app.toString(), "/app");
        assertTrue(laid.contains("laid out"), laid);
        for (ServiceCatalog.Service service : ServiceCatalog.ALL) {
            Path classpath = app.resolve(service.module()).resolve("target/classpath.txt");
            for (String entry : Files.readString(classpath).trim().split(":")) {
                assertTrue(entry.startsWith("/app/"), service.module() + " names " + entry + ", outside the image's /app");
                assertTrue(Files.exists(app.resolve(entry.substring("/app/".length()))), service.module() + ": " + entry + " is not in the layout");
            }
        }

        // the entrypoint with the layout at its real place: the first-tokenizer job's usage comes from its own classpath
        Path here = dir.resolve("here");
        run(Map.of("LAYOUT_LINK", "1"), "sh", script("layout.sh"), DeploymentFiles.root().toString(), mavenRepository().toString(),
                here.toString(), here.toString());
        String usage = run(Map.of("STREAMPARROT_APP", here.toString()), "sh", script("run-service.sh"), "tokenize-service",
                DeploymentFiles.FIRST_TOKENIZER_JOB, "--help");
        assertTrue(usage.contains("--min-files"), usage);

        // libtorch modules get the preloads, the others none: a stand-in `java` prints what it was given
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"LD_PRELOAD=$LD_PRELOAD\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(here.resolve("native"));
        Files.writeString(here.resolve("native/libfakeintel.so"), "");
        Map<String, String> env = Map.of("STREAMPARROT_APP", here.toString(), "PATH", bin + ":" + System.getenv("PATH"));
        String trainer = run(env, "sh", script("run-service.sh"), "trainer-service", "dev.streamparrot.trainer.TrainerApplication");
        assertTrue(trainer.contains(here.resolve("native/libfakeintel.so").toString()), trainer);
        boolean tcmalloc = List.of(Path.of("/usr/lib")).stream().anyMatch(lib -> {
            try (var dirs = Files.list(lib)) {
                return dirs.anyMatch(d -> Files.exists(d.resolve("libtcmalloc_minimal.so.4")));
            } catch (java.io.IOException e) {
                return false;
            }
        });
        assertEquals(tcmalloc, trainer.contains("libtcmalloc_minimal.so.4"), "tcmalloc preloaded where installed: " + trainer);
        String packer = run(env, "sh", script("run-service.sh"), "packer-service", "dev.streamparrot.packer.PackerApplication");
        assertEquals("LD_PRELOAD=", packer.trim(), "no libtorch, no preload");
        removeLayout(app);
        removeLayout(here);
    }

    /** Removes a layout made with LAYOUT_LINK=1: its links, never what they point to (and no JUnit warning per link). */
    static void removeLayout(Path layout) throws java.io.IOException {
        if (!Files.exists(layout, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (var paths = Files.walk(layout)) { // walk does not follow links: a linked folder is one entry
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    private static String script(String name) {
        return DeploymentFiles.root().resolve("deploy/docker").resolve(name).toString();
    }

    private static String run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ":\n" + out);
        return out;
    }
}
