package dev.streamparrot.launcher;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds files of the checkout (the registry's runner jar) from wherever a JVM was started inside it. */
public final class ProjectPaths {
    private ProjectPaths() {}

    public static Path root() {
        String configured = System.getProperty("streamparrot.root");
        if (configured != null && Files.isDirectory(Path.of(configured, "deploy"))) return Path.of(configured).toAbsolutePath();
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("deploy/registry")) && Files.exists(dir.resolve("pom.xml"))) return dir;
        }
        throw new IllegalStateException("not inside the StreamParrot checkout (no deploy/registry above "
                + Path.of("").toAbsolutePath() + "); set -Dstreamparrot.root");
    }

    /** The Apicurio runner jar that {@code deploy/registry} builds. */
    public static Path registryJar() {
        Path target = root().resolve("deploy/registry/target");
        try (var files = Files.list(target)) {
            return files.filter(f -> f.getFileName().toString().endsWith("-runner.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no *-runner.jar in " + target));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the schema registry is not built (" + target
                    + " missing): run `mvn -pl deploy/registry package` first", e);
        }
    }
}
