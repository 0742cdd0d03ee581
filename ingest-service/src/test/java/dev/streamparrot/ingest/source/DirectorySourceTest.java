package dev.streamparrot.ingest.source;

import dev.streamparrot.ingest.pipeline.RejectReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DirectorySourceTest {

    @Test
    void walksTheTreeSafely(@TempDir Path tmp) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("repo"));
        Files.writeString(root.resolve("a.py"), "print('a')\n");
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/b.py"), "print('b')\n");
        Files.writeString(root.resolve("notes.txt"), "not python");
        Files.createDirectories(root.resolve(".git/hooks"));
        Files.writeString(root.resolve(".git/hooks/x.py"), "never read");
        Files.writeString(root.resolve("big.py"), "#".repeat(2000));
        Path outside = Files.writeString(tmp.resolve("secret.py"), "outside the root\n");
        Files.createSymbolicLink(root.resolve("escape.py"), outside);
        Files.createSymbolicLink(root.resolve("inside.py"), root.resolve("sub/b.py"));
        Files.createSymbolicLink(root.resolve("loop"), root);   // a directory link: not followed, no cycle

        Collected c = new Collected(1000);
        new DirectorySource(root, "repo", "MIT", Set.of(".git")).read(c);

        assertEquals(Map.of("a.py", "print('a')\n", "sub/b.py", "print('b')\n", "inside.py", "print('b')\n"), c.contents());
        assertEquals(Map.of("escape.py", RejectReason.SYMLINK_ESCAPE, "big.py", RejectReason.TOO_LARGE), c.reasons());
        assertEquals("MIT", c.files.get(0).licenseHint());
        assertEquals("repo", c.files.get(0).source());

        // the root may itself be a link: it is walked, and links inside still may not escape it
        Path alias = Files.createSymbolicLink(tmp.resolve("alias"), root);
        Collected viaAlias = new Collected(1000);
        new DirectorySource(alias, "repo", null, Set.of(".git")).read(viaAlias);
        assertEquals(c.contents(), viaAlias.contents());
        assertEquals(c.reasons(), viaAlias.reasons());
    }
}
