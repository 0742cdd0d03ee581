package dev.streamparrot.ingest.source;

import dev.streamparrot.ingest.file.CandidateFile;
import dev.streamparrot.ingest.file.RejectReason;
import dev.streamparrot.ingest.file.Rejection;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Every file under a directory, skipping folders with excluded names (.git by default). Symbolic links are not followed as directories
 * (no cycles); a link to a file is read only when its target lies inside the root.
 */
public final class DirectorySource implements FileSource {
    private final Path root;
    private final String name;
    private final String license;
    private final Set<String> excludedDirs;

    /**
     * @param license      SPDX id all files are under, or null when unknown
     * @param excludedDirs names of directories not to enter, wherever they are (e.g. .git, site-packages)
     */
    public DirectorySource(Path root, String name, String license, Set<String> excludedDirs) {
        this.root = root;
        this.name = name;
        this.license = license;
        this.excludedDirs = Set.copyOf(excludedDirs);
    }

    public DirectorySource(Path root) {
        this(root, String.valueOf(root.toAbsolutePath().normalize().getFileName()), null, Set.of(".git"));
    }

    /**
     * A monorepo as many repositories: each top-level subdirectory (not a link, not excluded) is a source
     * named {@code name/subdir}, and the top level's own files another, named {@code name}, first. The
     * standard library then splits into train and valid by package.
     */
    public static List<DirectorySource> perSubdirectory(Path root, String name, String license, Set<String> excludedDirs)
            throws IOException {
        List<DirectorySource> sources = new ArrayList<>();
        Set<String> topLevelSkips = new HashSet<>(excludedDirs);
        try (var children = Files.list(root)) {
            for (Path child : children.sorted().toList()) {
                String childName = child.getFileName().toString();
                if (!Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) continue;
                topLevelSkips.add(childName);
                if (!excludedDirs.contains(childName)) {
                    sources.add(new DirectorySource(child, name + "/" + childName, license, excludedDirs));
                }
            }
        }
        sources.add(0, new DirectorySource(root, name, license, topLevelSkips));
        return sources;
    }

    @Override public String name() { return name; }

    @Override
    public void read(SourceListener listener) throws IOException {
        // Walk the real path: a root that is itself a symlink would otherwise be visited as one file.
        Path realRoot = root.toRealPath();
        Files.walkFileTree(realRoot, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return !dir.equals(realRoot) && dir.getFileName() != null && excludedDirs.contains(dir.getFileName().toString())
                        ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String rel = relative(realRoot, file);
                if (!listener.wants(rel)) return FileVisitResult.CONTINUE;
                try {
                    Path target = file;
                    if (attrs.isSymbolicLink()) {
                        target = file.toRealPath();
                        if (!target.startsWith(realRoot)) {
                            listener.onRejected(new Rejection(name, rel, RejectReason.SYMLINK_ESCAPE, "-> " + target));
                            return FileVisitResult.CONTINUE;
                        }
                        if (!Files.isRegularFile(target)) return FileVisitResult.CONTINUE;
                    } else if (!attrs.isRegularFile()) {
                        return FileVisitResult.CONTINUE;
                    }
                    long size = Files.size(target);
                    if (size > listener.maxBytes()) {
                        listener.onRejected(new Rejection(name, rel, RejectReason.TOO_LARGE, size + " bytes"));
                        return FileVisitResult.CONTINUE;
                    }
                    listener.onFile(new CandidateFile(name, null, rel, Files.readAllBytes(target), license, 1));
                } catch (IOException e) {
                    listener.onRejected(new Rejection(name, rel, RejectReason.UNREADABLE, e.toString()));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                listener.onRejected(new Rejection(name, relative(realRoot, file), RejectReason.UNREADABLE, e.toString()));
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static String relative(Path realRoot, Path file) {
        return realRoot.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
    }
}
