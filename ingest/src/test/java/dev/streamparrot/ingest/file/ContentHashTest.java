package dev.streamparrot.ingest.file;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class ContentHashTest {
    @Test
    void matchesPythonsMd5OfContentWithoutWhitespace() {
        // python3: hashlib.md5(re.sub(r"\s+", "", s).encode()).hexdigest()
        String s = "def f(x):\n\treturn  x + 1\r\n\u00a0# done\n";
        assertEquals("dd87741b8288f6ce3368de1dc101b549", ContentHash.of(s));
    }

    @Test
    void ignoresOnlyWhitespace() {
        assertEquals(ContentHash.of("a = 1\nb = 2\n"), ContentHash.of("a=1\r\n\n    b=2"));
        assertNotEquals(ContentHash.of("a = 1"), ContentHash.of("a = 2"));
    }
}
