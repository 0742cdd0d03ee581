package dev.streamparrot.artifacts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The files an artifact is made of, and the rules for names: shared by both stores. */
final class SourceFiles {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");

    private SourceFiles() {}

    /** Relative path (with '/') to file, sorted: a directory's regular files, or a single file by its own name. */
    static Map<String, Path> of(Path source) {
        Map<String, Path> files = new LinkedHashMap<>();
        if (Files.isRegularFile(source)) {
            files.put(source.getFileName().toString(), source);
            return files;
        }
        if (!Files.isDirectory(source)) throw new IllegalArgumentException("no such file or directory: " + source);
        try (Stream<Path> all = Files.walk(source)) {
            all.filter(Files::isRegularFile).sorted().forEach(f -> {
                String rel = source.relativize(f).toString().replace('\\', '/');
                if (!rel.equals(ArtifactStore.MANIFEST_FILE)) files.put(rel, f);
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + source, e);
        }
        if (files.isEmpty()) throw new IllegalArgumentException(source + " holds no files");
        return files;
    }

    /** Refuses names that could escape the store or clash with its own temporary names. */
    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.contains("..") || name.startsWith(".")
                || name.contains("/.")) {
            throw new IllegalArgumentException("not an artifact name (letters, digits, . _ - and /, no leading dot): " + name);
        }
        return name;
    }
}
