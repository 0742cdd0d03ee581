package dev.streamparrot.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IngestCliTest {

    /** Runs the CLI and returns its stdout; asserts a zero exit code. */
    static String run(String... args) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            int code = new CommandLine(new IngestCli()).setErr(new PrintWriter(new ByteArrayOutputStream())).execute(args);
            assertEquals(0, code);
        } finally {
            System.setOut(saved);
        }
        return stdout.toString(StandardCharsets.UTF_8);
    }

    @Test
    void ingestArchiveAndJsonlCarryOnPastBadInputs(@TempDir Path tmp) throws Exception {
        Path good = tmp.resolve("good.zip");
        try (var zip = new org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream(good)) {
            zip.putArchiveEntry(new org.apache.commons.compress.archivers.zip.ZipArchiveEntry("m.py"));
            zip.write(PythonFiles.module(5, 30).getBytes(StandardCharsets.UTF_8));
            zip.closeArchiveEntry();
        }
        Path garbage = Files.writeString(tmp.resolve("garbage.zip"), "this is not a zip file");
        String summary = run("ingest-archive", "--no-progress", garbage.toString(), good.toString());
        assertTrue(summary.contains("accepted 1") && summary.contains("UNREADABLE"), summary);

        String record = new ObjectMapper().createObjectNode().put("repo_name", "r/x").put("path", "a.py")
                .put("content", PythonFiles.module(6, 30)).put("license", "mit").toString();
        Path jsonl = Files.writeString(tmp.resolve("d.jsonl"), record + "\n{oops\n" + record + "\n");
        summary = run("ingest-jsonl", "--no-progress", "--allow-license", "MIT", jsonl.toString());
        assertTrue(summary.contains("accepted 1") && summary.contains("MALFORMED_RECORD") && summary.contains("EXACT_DUPLICATE"), summary);
    }

    @Test
    void ingestDirWritesAcceptedFilesAndSummarises(@TempDir Path tmp) throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("one.py"), PythonFiles.module(1, 30));
        Files.writeString(src.resolve("two.py"), PythonFiles.module(2, 30));
        Files.writeString(src.resolve("copy.py"), PythonFiles.module(1, 30));
        Files.writeString(src.resolve("tiny.py"), "x = 1\n");
        Path out = tmp.resolve("accepted.jsonl.gz");

        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        int code;
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            code = new CommandLine(new IngestCli()).setErr(new PrintWriter(new ByteArrayOutputStream()))
                    .execute("ingest-dir", "--no-progress", "--license", "MIT", "--output", out.toString(), src.toString());
        } finally {
            System.setOut(saved);
        }
        assertEquals(0, code);
        String summary = stdout.toString(StandardCharsets.UTF_8);
        assertTrue(summary.contains("accepted 2"), summary);
        assertTrue(summary.contains("EXACT_DUPLICATE") && summary.contains("TOO_SMALL"), summary);

        ByteArrayOutputStream json = new ByteArrayOutputStream();
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(out))) {
            in.transferTo(json);
        }
        List<String> lines = json.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size());
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertEquals("src", first.get("repo_name").asText());
        assertEquals("MIT", first.get("license").asText());
        assertTrue(first.get("content").asText().startsWith("import math"));
        assertEquals(32, first.get("hash").asText().length());
    }
}
