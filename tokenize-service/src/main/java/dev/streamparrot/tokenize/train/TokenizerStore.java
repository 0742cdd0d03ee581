package dev.streamparrot.tokenize.train;

import dev.streamparrot.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where released tokenizers live: {@code <root>/<id>/tokenizer.json}, with the id the content hash of
 * the file. A release is written once and never changed, so its id names it forever.
 */
public final class TokenizerStore {
    private final Path root;

    public TokenizerStore(Path root) {
        this.root = root;
    }

    /** Stores the tokenizer (if this content is not stored yet) and returns its file. */
    public Path put(Tokenizer tokenizer, String report) throws IOException {
        Path dir = root.resolve(tokenizer.id());
        Path file = dir.resolve("tokenizer.json");
        if (Files.exists(file)) return file;
        Files.createDirectories(dir);
        Path partial = Files.createTempFile(dir, "tokenizer", ".json.partial");
        tokenizer.save(partial);
        Files.writeString(dir.resolve("report.txt"), report);
        // Readers never see a half-written release.
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

}
