package dev.streamparrot.ingest.source;

import dev.streamparrot.ingest.file.CandidateFile;
import dev.streamparrot.ingest.file.RejectReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonLinesSourceTest {
    static final String DUMP = String.join("\n",
            "{\"repo_name\": \"alice/proj\", \"path\": \"src/a.py\", \"copies\": \"3\", \"size\": \"9\", \"content\": \"x = 1\\ny = 2\\n\", \"license\": \"mit\"}",
            "{\"repo_name\": \"bob/broken\", \"path\": \"b.py\", \"content\": \"unterminated",
            "",
            "{\"repo_name\": \"carol/x\", \"path\": 7, \"content\": \"no path\"}",
            "[1, 2, 3]",
            "{\"repo_name\": \"dave/y\", \"path\": \"README.md\", \"content\": \"# not python\"}",
            "{\"repo_name\": \"erin/z\", \"path\": \"z.py\", \"copies\": 2, \"content\": \"print('é')\\n\", \"license\": \"some-custom\"}",
            "");

    static void gzip(Path p, byte[] data) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write(data);
        }
    }

    @Test
    void readsCodeParrotRecordsAndReportsBadLines(@TempDir Path tmp) throws IOException {
        for (String name : List.of("dump.jsonl", "dump.jsonl.gz", "dump.json.gz")) {
            Path p = tmp.resolve(name);
            byte[] data = DUMP.getBytes(StandardCharsets.UTF_8);
            if (name.endsWith(".gz")) gzip(p, data); else Files.write(p, data);
            Collected c = new Collected();
            new JsonLinesSource(p).read(c);

            assertEquals(2, c.files.size(), name);
            CandidateFile a = c.files.get(0);
            assertEquals("alice/proj", a.source());
            assertEquals("src/a.py", a.path());
            assertEquals(3, a.copiesHint());
            assertEquals("MIT", a.licenseHint());
            assertNull(a.commit());
            assertEquals("x = 1\ny = 2\n", new String(a.bytes(), StandardCharsets.UTF_8));
            CandidateFile z = c.files.get(1);
            assertEquals(2, z.copiesHint());
            assertEquals("some-custom", z.licenseHint());
            assertEquals("print('é')\n", new String(z.bytes(), StandardCharsets.UTF_8));

            assertEquals(List.of("line 2", "line 4", "line 5"), c.rejections.stream().map(r -> r.path()).toList());
            assertTrue(c.rejections.stream().allMatch(r -> r.reason() == RejectReason.MALFORMED_RECORD));
        }
    }

    @Test
    void truncatedGzipKeepsWhatWasRead(@TempDir Path tmp) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            sb.append("{\"repo_name\": \"r\", \"path\": \"f").append(i).append(".py\", \"content\": \"v").append(i).append(" = ").append(i * 7919L % 1000003).append("\"}\n");
        }
        Path whole = tmp.resolve("whole.jsonl.gz");
        gzip(whole, sb.toString().getBytes(StandardCharsets.UTF_8));
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = Files.write(tmp.resolve("cut.jsonl.gz"), Arrays.copyOf(bytes, bytes.length / 2));
        Collected c = new Collected();
        new JsonLinesSource(cut).read(c);
        assertTrue(c.files.size() > 100 && c.files.size() < 2000, "read " + c.files.size());
        assertEquals(1, c.rejections.size());
        assertEquals(RejectReason.UNREADABLE, c.rejections.get(0).reason());
    }
}
