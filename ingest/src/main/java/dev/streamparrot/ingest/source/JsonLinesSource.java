package dev.streamparrot.ingest.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamparrot.ingest.license.LicenseDetector;
import dev.streamparrot.ingest.file.CandidateFile;
import dev.streamparrot.ingest.file.RejectReason;
import dev.streamparrot.ingest.file.Rejection;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * A JSON Lines dump in CodeParrot's layout (.jsonl, .jsonl.gz, .json.gz): one object per line with
 * {@code repo_name, path, copies, size, content, license}. A malformed line is reported with its number
 * and skipped; only a file that stops being readable (truncated gzip) ends early, and that is reported too.
 */
public final class JsonLinesSource implements FileSource {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final String name;

    public JsonLinesSource(Path file) {
        this.file = file;
        this.name = file.getFileName().toString();
    }

    @Override public String name() { return name; }

    @Override
    public void read(SourceListener listener) throws IOException {
        InputStream raw = Files.newInputStream(file);
        if (name.endsWith(".gz")) raw = new GZIPInputStream(raw, 1 << 16);
        long lineNo = 0;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(raw, StandardCharsets.UTF_8), 1 << 16)) {
            String line;
            while (true) {
                try {
                    line = reader.readLine();
                } catch (IOException e) {
                    listener.onRejected(new Rejection(name, "line " + (lineNo + 1), RejectReason.UNREADABLE, e + "; rest of file skipped"));
                    return;
                }
                if (line == null) return;
                lineNo++;
                if (line.isBlank()) continue;
                record(line, lineNo, listener);
            }
        }
    }

    private void record(String line, long lineNo, SourceListener listener) {
        String where = "line " + lineNo;
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            listener.onRejected(new Rejection(name, where, RejectReason.MALFORMED_RECORD, "not JSON: " + e.getOriginalMessage()));
            return;
        }
        if (node == null || !node.isObject() || !node.path("content").isTextual() || !node.path("path").isTextual()) {
            listener.onRejected(new Rejection(name, where, RejectReason.MALFORMED_RECORD, "needs text fields 'path' and 'content'"));
            return;
        }
        String path = node.get("path").asText();
        if (!listener.wants(path)) return;
        String repo = node.path("repo_name").isTextual() ? node.get("repo_name").asText() : name;
        byte[] bytes = node.get("content").asText().getBytes(StandardCharsets.UTF_8);
        if (bytes.length > listener.maxBytes()) {
            listener.onRejected(new Rejection(repo, path, RejectReason.TOO_LARGE, bytes.length + " bytes (" + name + " " + where + ")"));
            return;
        }
        String rawLicense = node.path("license").isTextual() ? node.get("license").asText() : null;
        String license = LicenseDetector.fromCodeParrot(rawLicense).orElse(rawLicense);
        // CodeParrot stores copies as a string ("2"); accept numbers too.
        int copies = node.path("copies").asInt(1);
        listener.onFile(new CandidateFile(repo, null, path, bytes, license, Math.max(copies, 1)));
    }
}
