package dev.streamparrot.ingest.source;

import dev.streamparrot.ingest.license.LicenseDetector;
import dev.streamparrot.ingest.file.CandidateFile;
import dev.streamparrot.ingest.file.RejectReason;
import dev.streamparrot.ingest.file.Rejection;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.InvalidRemoteException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.errors.RevisionSyntaxException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Git repositories, cloned once (bare) into a cache directory and fetched on every later sync. Files are
 * read straight from the object database at the tip commit: there is no checkout, so no hook, clean/smudge
 * filter or LFS download ever runs, and a symlink is a reported entry, never followed.
 * JGit without a CredentialsProvider fails fast on private repositories instead of prompting; over ssh that
 * also means an unknown or changed host key is refused (there is nobody to ask), so add hosts to known_hosts.
 */
public final class GitSource {
    private final Path cacheDir;
    private final Duration timeout;
    private final TransportConfigCallback ssh;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    /** @param timeout network inactivity limit for clone and fetch; ssh keys and known_hosts from ~/.ssh */
    public GitSource(Path cacheDir, Duration timeout) {
        this(cacheDir, timeout, Path.of(System.getProperty("user.home"), ".ssh"));
    }

    /** @param sshDir where ssh:// clones find identity files (id_rsa, id_ed25519, ...), known_hosts and config */
    public GitSource(Path cacheDir, Duration timeout, Path sshDir) {
        this.cacheDir = cacheDir;
        this.timeout = timeout;
        // Public keys only: password and keyboard-interactive logins would need someone to type.
        SshdSessionFactory factory = new SshdSessionFactoryBuilder()
                .setHomeDirectory(Path.of(System.getProperty("user.home")).toFile())
                .setSshDirectory(sshDir.toFile())
                .setPreferredAuthentications("publickey")
                .build(null);
        this.ssh = transport -> {
            if (transport instanceof SshTransport t) t.setSshSessionFactory(factory);
        };
    }

    /**
     * Clones (first time) or fetches {@code url}, resolves {@code ref} (null: the remote's default branch)
     * and lists the files changed since {@code lastCommit} (null: every file).
     */
    public GitChanges sync(String url, String ref, String lastCommit) throws GitSourceException {
        synchronized (locks.computeIfAbsent(url, u -> new Object())) {
            try (Repository repo = cloneOrFetch(url)) {
                ObjectId tip = repo.resolve((ref == null ? Constants.HEAD : ref) + "^{commit}");
                if (tip == null) throw new GitSourceException(GitSourceException.Kind.UNKNOWN_REF, url + " has no " + ref, null);
                ObjectId from = lastCommit == null ? null : knownCommit(repo, lastCommit);
                try (RevWalk walk = new RevWalk(repo)) {
                    RevTree tipTree = walk.parseCommit(tip).getTree();
                    List<String> changed = new ArrayList<>();
                    List<String> deleted = new ArrayList<>();
                    if (from == null) {
                        allFiles(repo, tipTree, changed);
                    } else {
                        diff(repo, walk.parseCommit(from).getTree(), tipTree, changed, deleted);
                    }
                    return new GitChanges(url, repoName(url), from == null ? null : from.name(), tip.name(),
                            license(repo, tipTree), changed, deleted);
                }
            } catch (RevisionSyntaxException e) {
                throw new GitSourceException(GitSourceException.Kind.UNKNOWN_REF, url + ": bad ref " + ref, e);
            } catch (IOException e) {
                if (e instanceof GitSourceException g) throw g;
                throw new GitSourceException(GitSourceException.Kind.CORRUPT, url + ": " + e.getMessage(), e);
            }
        }
    }

    /** The changed files of a sync, read from the cached clone at {@code changes.toCommit()}. */
    public FileSource files(GitChanges changes) {
        return filesAt(changes, changes.toCommit(), changes.changedPaths());
    }

    /**
     * The files a sync deleted, as they were at {@code changes.fromCommit()}: what an earlier ingest read,
     * so the deletion can name the content it takes back.
     */
    public FileSource deletedFiles(GitChanges changes) {
        return filesAt(changes, changes.fromCommit(), changes.fromCommit() == null ? List.of() : changes.deletedPaths());
    }

    private FileSource filesAt(GitChanges changes, String commit, List<String> paths) {
        return new FileSource() {
            @Override public String name() { return changes.repoName(); }

            @Override
            public void read(SourceListener listener) throws IOException {
                if (paths.isEmpty()) return;
                try (Repository repo = open(cacheFor(changes.url())); RevWalk walk = new RevWalk(repo)) {
                    RevTree tree = walk.parseCommit(ObjectId.fromString(commit)).getTree();
                    for (String path : paths) {
                        if (!listener.wants(path)) continue;
                        try (TreeWalk tw = TreeWalk.forPath(repo, path, tree)) {
                            if (tw == null) continue;
                            FileMode mode = tw.getFileMode(0);
                            if (mode == FileMode.SYMLINK) {
                                listener.onRejected(new Rejection(changes.repoName(), path, RejectReason.SYMLINK, "symbolic link in repository"));
                                continue;
                            }
                            ObjectLoader blob = repo.open(tw.getObjectId(0), Constants.OBJ_BLOB);
                            if (blob.getSize() > listener.maxBytes()) {
                                listener.onRejected(new Rejection(changes.repoName(), path, RejectReason.TOO_LARGE, blob.getSize() + " bytes"));
                                continue;
                            }
                            listener.onFile(new CandidateFile(changes.repoName(), commit, path,
                                    blob.getBytes(), changes.license(), 1));
                        }
                    }
                }
            }
        };
    }

    private Repository cloneOrFetch(String url) throws GitSourceException, IOException {
        Path dir = cacheFor(url);
        int seconds = (int) Math.max(1, timeout.toSeconds());
        try {
            if (Files.isRegularFile(dir.resolve("HEAD"))) {
                Repository repo = open(dir);
                try (Git git = new Git(repo)) {
                    git.fetch().setRemote("origin").setTimeout(seconds).setTransportConfigCallback(ssh).setRemoveDeletedRefs(true).setForceUpdate(true).call();
                }
                return repo;
            }
            Files.createDirectories(cacheDir);
            deleteRecursively(dir); // a leftover without HEAD is an interrupted clone
            try {
                return Git.cloneRepository().setURI(url).setDirectory(dir.toFile()).setBare(true)
                        .setCloneAllBranches(true).setTimeout(seconds).setTransportConfigCallback(ssh).call().getRepository();
            } catch (GitAPIException | RuntimeException e) {
                deleteRecursively(dir); // never leave a half clone that a later sync would take for the cache
                throw e;
            }
        } catch (InvalidRemoteException e) {
            throw new GitSourceException(GitSourceException.Kind.NOT_FOUND, url + ": " + e.getMessage(), e);
        } catch (TransportException e) {
            throw new GitSourceException(classify(e), url + ": " + e.getMessage(), e);
        } catch (GitAPIException | RuntimeException e) {
            throw new GitSourceException(GitSourceException.Kind.UNREACHABLE, url + ": " + e.getMessage(), e);
        }
    }

    static boolean isSsh(String url) {
        return url.startsWith("ssh://") || url.startsWith("git+ssh://") || url.matches("^[\\w.-]+@[\\w.-]+:.*");
    }

    private static GitSourceException.Kind classify(TransportException e) {
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) messages.append(' ').append(t.getMessage());
        String m = messages.toString().toLowerCase(Locale.ROOT);
        // An unknown or changed ssh host key is a trust failure too: known_hosts must vouch for the server.
        if (m.contains("authentication") || m.contains("not authorized") || m.contains("credentialsprovider")
                || m.contains("server key did not validate")) {
            return GitSourceException.Kind.AUTH_REQUIRED;
        }
        if (m.contains("timed out") || m.contains("timeout")) return GitSourceException.Kind.TIMEOUT;
        if (m.contains("not found") || m.contains("not a git repository") || m.contains("does not appear to be a git repository")
                || m.contains("repository not found") || m.contains("no such file")) {
            return GitSourceException.Kind.NOT_FOUND;
        }
        return GitSourceException.Kind.UNREACHABLE;
    }

    private static Repository open(Path gitDir) throws IOException {
        return new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setMustExist(true).build();
    }

    /** The commit if this clone has it; a force-push may have removed it, and then everything is re-listed. */
    private static ObjectId knownCommit(Repository repo, String commit) throws IOException {
        try {
            ObjectId id = ObjectId.fromString(commit);
            return repo.getObjectDatabase().has(id) ? id : null;
        } catch (IllegalArgumentException notAnId) {
            return null;
        }
    }

    private static void allFiles(Repository repo, RevTree tree, List<String> out) throws IOException {
        try (TreeWalk tw = new TreeWalk(repo)) {
            tw.addTree(tree);
            tw.setRecursive(true);
            while (tw.next()) {
                if (tw.getFileMode(0) != FileMode.GITLINK) out.add(tw.getPathString());
            }
        }
    }

    private static void diff(Repository repo, RevTree from, RevTree to, List<String> changed, List<String> deleted)
            throws IOException {
        try (TreeWalk tw = new TreeWalk(repo)) {
            tw.addTree(from);
            tw.addTree(to);
            tw.setRecursive(true);
            // Without rename detection a rename is a DELETE plus an ADD, which is what ingest wants.
            for (DiffEntry d : DiffEntry.scan(tw)) {
                switch (d.getChangeType()) {
                    case ADD, MODIFY, COPY -> {
                        if (d.getNewMode() != FileMode.GITLINK) changed.add(d.getNewPath());
                    }
                    case DELETE -> deleted.add(d.getOldPath());
                    case RENAME -> {
                        deleted.add(d.getOldPath());
                        changed.add(d.getNewPath());
                    }
                }
            }
        }
    }

    /** The license named by the first recognisable LICENSE/LICENCE/COPYING file at the top of the tree. */
    private static String license(Repository repo, RevTree tree) throws IOException {
        try (TreeWalk tw = new TreeWalk(repo)) {
            tw.addTree(tree);
            tw.setRecursive(false);
            while (tw.next()) {
                if (tw.isSubtree() || !LicenseDetector.isLicenseFileName(tw.getNameString())) continue;
                ObjectLoader blob = repo.open(tw.getObjectId(0), Constants.OBJ_BLOB);
                if (blob.getSize() > 1 << 20) continue;
                var spdx = LicenseDetector.detect(new String(blob.getBytes(), StandardCharsets.UTF_8));
                if (spdx.isPresent()) return spdx.get();
            }
        }
        return null;
    }

    Path cacheFor(String url) {
        String safe = url.replaceAll("[^A-Za-z0-9._-]+", "_");
        if (safe.length() > 80) safe = safe.substring(safe.length() - 80);
        String digest = HexFormat.of().toHexDigits(url.hashCode());
        return cacheDir.resolve(safe + "-" + digest + ".git");
    }

    /** "owner/project" from https://host/owner/project.git, git@host:owner/project, or a local path. */
    static String repoName(String url) {
        String u = url.replaceAll("[/\\\\]+$", "").replaceAll("\\.git$", "");
        String[] parts = u.split("[/:\\\\]+");
        if (parts.length >= 2 && !url.startsWith("/") && !url.startsWith("file:") && !url.startsWith(".")) {
            return parts[parts.length - 2] + "/" + parts[parts.length - 1];
        }
        return parts[parts.length - 1];
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover is harmless: the next sync finds no HEAD file and clones again
        }
    }
}
