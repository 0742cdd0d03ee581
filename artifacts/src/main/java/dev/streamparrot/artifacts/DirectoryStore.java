package dev.streamparrot.artifacts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Artifacts in a directory ({@code file:/root}), the default on one machine: {@code <root>/<name>/} holds the
 * files and the manifest. An artifact is written into a hidden temporary directory beside its place and renamed
 * into place when complete (an atomic rename on one file system), so a reader sees all of it or nothing.
 *
 * <p>Locations are {@code file:} URIs of the artifact's directory. {@link #get} also reads a directory or file
 * announced before the store existed (no manifest): then only the announced file's hash is checked.
 */
public final class DirectoryStore implements ArtifactStore {
    private final Path root;

    public DirectoryStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public String location(String name) {
        return dirLocation(root.resolve(SourceFiles.checkName(name)));
    }

    @Override
    public Manifest put(String name, Path source) {
        Path target = root.resolve(SourceFiles.checkName(name));
        Path tmp = target.resolveSibling(".tmp-" + target.getFileName() + "-" + System.nanoTime());
        try {
            Files.createDirectories(tmp);
            List<Manifest.Entry> entries = new ArrayList<>();
            for (Map.Entry<String, Path> f : SourceFiles.of(source).entrySet()) {
                Path copy = tmp.resolve(f.getKey());
                Files.createDirectories(copy.getParent());
                Files.copy(f.getValue(), copy, StandardCopyOption.REPLACE_EXISTING);
                entries.add(new Manifest.Entry(f.getKey(), Files.size(copy), Sha256.of(copy)));
            }
            Manifest manifest = new Manifest(name, location(name), entries, Instant.now());
            Files.write(tmp.resolve(MANIFEST_FILE), manifest.toJson());
            if (Files.exists(target)) deleteTree(target);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return manifest;
        } catch (IOException | UncheckedIOException e) {
            try {
                if (Files.exists(tmp)) deleteTree(tmp);
            } catch (IOException ignored) {
                // the temporary directory is hidden; the next put of this name uses another one
            }
            throw new ArtifactStoreException("cannot store " + name + " in " + root + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Path get(String location, Expected expected) {
        Path path = ArtifactLocation.resolve(location);
        if (Files.isRegularFile(path)) { // a single file announced before the store existed
            verifyFile(path, expected.sha256(), "the announcement");
            return path;
        }
        if (!Files.isDirectory(path)) throw new NoSuchArtifactException("no artifact at " + location);
        Path manifestFile = path.resolve(MANIFEST_FILE);
        if (Files.isRegularFile(manifestFile)) {
            Manifest manifest = Manifest.fromJson(read(manifestFile), location);
            manifest.require(expected);
            for (Manifest.Entry e : manifest.files()) {
                Path file = path.resolve(e.path());
                if (!Files.isRegularFile(file)) throw new NoSuchArtifactException(location + " lost its file " + e.path());
                if (size(file) != e.size()) {
                    throw new ChecksumMismatchException(file + " has " + size(file) + " bytes, the manifest says " + e.size());
                }
            }
        }
        // the announced file is hashed; the others (optimizer state, twice the weights) only sized: this is a local disk
        verifyFile(path.resolve(expected.file()), expected.sha256(), "the announcement");
        return path.resolve(expected.file());
    }

    @Override
    public List<Manifest> list(String namePrefix) {
        if (!Files.isDirectory(root)) return List.of();
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(p -> p.getFileName().toString().equals(MANIFEST_FILE))
                    .map(Path::getParent)
                    .filter(dir -> !root.relativize(dir).toString().contains("/.") && !root.relativize(dir).toString().startsWith("."))
                    .map(dir -> Manifest.fromJson(read(dir.resolve(MANIFEST_FILE)), dirLocation(dir)))
                    .filter(m -> m.name().startsWith(namePrefix))
                    .sorted(Comparator.comparing(Manifest::name))
                    .toList();
        } catch (IOException e) {
            throw new ArtifactStoreException("cannot list " + root, e);
        }
    }

    @Override
    public void delete(String location) {
        Path dir = ArtifactLocation.resolve(location);
        try {
            Files.deleteIfExists(dir.resolve(MANIFEST_FILE));
            if (Files.isDirectory(dir)) deleteTree(dir);
        } catch (IOException e) {
            throw new ArtifactStoreException("cannot delete " + location, e);
        }
    }

    /** A directory's {@code file:} URI, always ending in '/' (Path.toUri adds one only when the directory exists). */
    private static String dirLocation(Path dir) {
        String uri = ArtifactLocation.of(dir);
        return uri.endsWith("/") ? uri : uri + "/";
    }

    private static void verifyFile(Path file, String expected, String who) {
        if (!Files.isRegularFile(file)) throw new NoSuchArtifactException("no file " + file);
        String actual = Sha256.of(file);
        if (!actual.equalsIgnoreCase(expected)) {
            throw new ChecksumMismatchException(file + " has sha256 " + actual + ", " + who + " says " + expected);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ArtifactStoreException("cannot read " + file, e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
