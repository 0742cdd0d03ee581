package dev.streamparrot.ingest.pipeline;

import dev.streamparrot.ingest.file.CandidateFile;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;

/**
 * Writes accepted files as JSON Lines in CodeParrot's layout (plus {@code hash} and {@code commit}), gzipped
 * when the name ends in .gz: the same layout {@code JsonLinesSource} reads, so the output can be re-ingested.
 */
public final class JsonLinesSink implements Consumer<AcceptedFile>, Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final BufferedWriter out;

    public JsonLinesSink(Path file) throws IOException {
        OutputStream raw = Files.newOutputStream(file);
        if (file.getFileName().toString().endsWith(".gz")) raw = new GZIPOutputStream(raw, 1 << 16);
        out = new BufferedWriter(new OutputStreamWriter(raw, StandardCharsets.UTF_8), 1 << 16);
    }

    @Override
    public synchronized void accept(AcceptedFile accepted) {
        CandidateFile f = accepted.file();
        ObjectNode node = JSON.createObjectNode()
                .put("repo_name", f.source())
                .put("path", f.path())
                .put("copies", String.valueOf(f.copiesHint()))
                .put("size", String.valueOf(f.bytes().length))
                .put("content", accepted.content())
                .put("license", f.licenseHint())
                .put("hash", accepted.contentHash())
                .put("commit", f.commit());
        try {
            out.write(JSON.writeValueAsString(node));
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
