package dev.streamparrot.ingest.source;

import dev.streamparrot.ingest.file.CandidateFile;
import dev.streamparrot.ingest.file.RejectReason;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GitSourceTest {
    static final String MIT = """
            MIT License

            Permission is hereby granted, free of charge, to any person obtaining a copy
            of this software and associated documentation files (the "Software")...
            """;

    static RevCommit commit(Git git, String message) throws Exception {
        git.add().addFilepattern(".").call();
        git.add().addFilepattern(".").setUpdate(true).call();   // stages deletions too
        return git.commit().setMessage(message).setAuthor("t", "t@example.org").setCommitter("t", "t@example.org").setSign(false).call();
    }

    @Test
    void listsAllFilesFirstThenOnlyWhatChanged(@TempDir Path tmp) throws Exception {
        Path work = Files.createDirectories(tmp.resolve("origin"));
        try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            Files.writeString(work.resolve("LICENSE"), MIT);
            Files.writeString(work.resolve("a.py"), "a = 1\n");
            Files.writeString(work.resolve("b.py"), "b = 1\n");
            Files.createDirectories(work.resolve("pkg"));
            Files.writeString(work.resolve("pkg/c.py"), "c = 1\n");
            Files.createSymbolicLink(work.resolve("link.py"), Path.of("a.py"));
            RevCommit first = commit(git, "first");

            GitSource source = new GitSource(tmp.resolve("cache"), Duration.ofSeconds(20));
            String url = work.toUri().toString();                  // file:///...
            GitChanges initial = source.sync(url, null, null);
            assertEquals(first.name(), initial.toCommit());
            assertNull(initial.fromCommit());
            assertEquals("MIT", initial.license());
            assertEquals(List.of("LICENSE", "a.py", "b.py", "link.py", "pkg/c.py"), initial.changedPaths());
            assertEquals(List.of(), initial.deletedPaths());

            Collected c = new Collected();
            source.files(initial).read(c);
            assertEquals(Map.of("a.py", "a = 1\n", "b.py", "b = 1\n", "pkg/c.py", "c = 1\n"), c.contents());
            assertEquals(Map.of("link.py", RejectReason.SYMLINK), c.reasons());
            CandidateFile a = c.files.get(0);
            assertEquals(first.name(), a.commit());
            assertEquals("MIT", a.licenseHint());

            // change one file, delete one, add one: the next sync sees exactly that
            Files.writeString(work.resolve("a.py"), "a = 2\n");
            Files.delete(work.resolve("b.py"));
            Files.writeString(work.resolve("pkg/d.py"), "d = 1\n");
            RevCommit second = commit(git, "second");

            GitChanges next = source.sync(url, null, initial.toCommit());
            assertEquals(first.name(), next.fromCommit());
            assertEquals(second.name(), next.toCommit());
            assertEquals(List.of("a.py", "pkg/d.py"), next.changedPaths());
            assertEquals(List.of("b.py"), next.deletedPaths());
            Collected n = new Collected();
            source.files(next).read(n);
            assertEquals(Map.of("a.py", "a = 2\n", "pkg/d.py", "d = 1\n"), n.contents());

            assertTrue(source.sync(url, "main", second.name()).upToDate());
            // a commit the clone never had (history rewritten): everything again
            assertEquals(5, source.sync(url, null, "0123456789012345678901234567890123456789").changedPaths().size());
            // an older ref by name
            assertEquals(first.name(), source.sync(url, first.name(), null).toCommit());
        }
    }

    @Test
    void unreachableRepositoriesFailFastWithAReason(@TempDir Path tmp) {
        GitSource source = new GitSource(tmp.resolve("cache"), Duration.ofSeconds(5));
        long start = System.nanoTime();
        GitSourceException missing = assertThrows(GitSourceException.class,
                () -> source.sync(tmp.resolve("nope").toUri().toString(), null, null));
        assertEquals(GitSourceException.Kind.NOT_FOUND, missing.kind(), missing.getMessage());
        GitSourceException refused = assertThrows(GitSourceException.class,
                () -> source.sync("http://127.0.0.1:9/owner/repo.git", null, null));
        assertEquals(GitSourceException.Kind.UNREACHABLE, refused.kind(), refused.getMessage());
        assertTrue(System.nanoTime() - start < 15e9, "no hang");
        assertTrue(!Files.exists(tmp.resolve("cache")) || tmp.resolve("cache").toFile().list().length == 0, "no half clones left");
    }

    @Test
    void unknownRefIsReported(@TempDir Path tmp) throws Exception {
        Path work = Files.createDirectories(tmp.resolve("origin"));
        try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            Files.writeString(work.resolve("a.py"), "a = 1\n");
            commit(git, "first");
        }
        GitSource source = new GitSource(tmp.resolve("cache"), Duration.ofSeconds(5));
        GitSourceException e = assertThrows(GitSourceException.class, () -> source.sync(work.toString(), "no-such-branch", null));
        assertEquals(GitSourceException.Kind.UNKNOWN_REF, e.kind());
        GitSourceException syntax = assertThrows(GitSourceException.class, () -> source.sync(work.toString(), "main@{", null));
        assertEquals(GitSourceException.Kind.UNKNOWN_REF, syntax.kind());
    }

    @Test
    void repoNames() {
        assertEquals("owner/proj", GitSource.repoName("https://github.com/owner/proj.git"));
        assertEquals("owner/proj", GitSource.repoName("git@github.com:owner/proj.git"));
        assertEquals("proj", GitSource.repoName("/srv/git/proj/"));
        assertEquals("proj", GitSource.repoName("file:///srv/git/proj.git"));
        assertTrue(GitSource.isSsh("git@github.com:owner/proj.git"));
        assertTrue(GitSource.isSsh("ssh://git@github.com/owner/proj.git"));
        assertTrue(!GitSource.isSsh("https://github.com/owner/proj.git") && !GitSource.isSsh("/srv/git/proj"));
    }
}
