package dev.streamparrot.ingest.source;

import dev.streamparrot.ingest.file.RejectReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DirectorySourceTest {

    @Test
    void walksTheTreeSafely(@TempDir Path tmp) throws Exception {
        Path root = tree(tmp.resolve("repo"), "a.py", "print('a')\n", "sub/b.py", "print('b')\n", "notes.txt", "not python",
                ".git/hooks/x.py", "never read", "big.py", "#".repeat(2000));
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

    @Test
    void aMonorepoSplitsIntoOneSourcePerTopLevelDirectory(@TempDir Path tmp) throws Exception {
        Path root = tree(tmp.resolve("lib"), "top.py", "print('top')\n", "json/decoder.py", "print('json')\n",
                "json/tests/t.py", "print('t')\n", "json/__pycache__/c.py", "never read\n", "email/parser.py", "print('email')\n",
                "__pycache__/c.py", "never read\n");

        Map<String, Map<String, String>> bySource = new LinkedHashMap<>();
        for (DirectorySource source : DirectorySource.perSubdirectory(root, "lib", "PSF-2.0", Set.of("__pycache__"))) {
            Collected c = new Collected();
            source.read(c);
            assertEquals(List.of(), c.rejections);
            c.files.forEach(f -> assertEquals("PSF-2.0", f.licenseHint()));
            c.files.forEach(f -> assertEquals(source.name(), f.source()));
            bySource.put(source.name(), c.contents());
        }
        // the top level first, with only its own files; each package once, under its own name
        assertEquals(List.of("lib", "lib/email", "lib/json"), List.copyOf(bySource.keySet()));
        assertEquals(Map.of("top.py", "print('top')\n"), bySource.get("lib"));
        assertEquals(Map.of("parser.py", "print('email')\n"), bySource.get("lib/email"));
        assertEquals(Map.of("decoder.py", "print('json')\n", "tests/t.py", "print('t')\n"), bySource.get("lib/json"));
    }

    /** A directory tree at root: relative path, then its text, for each file (folders made as needed). */
    static Path tree(Path root, String... pathsAndTexts) throws IOException {
        for (int k = 0; k < pathsAndTexts.length; k += 2) {
            Path file = root.resolve(pathsAndTexts[k]);
            Files.createDirectories(file.getParent());
            Files.writeString(file, pathsAndTexts[k + 1]);
        }
        return Files.createDirectories(root);
    }
}
