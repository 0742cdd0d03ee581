package dev.streamparrot.tokenize.stream;

import dev.streamparrot.artifacts.ArtifactLocation;
import dev.streamparrot.artifacts.Sha256;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Loaded tokenizers by release id, shared by all stream threads (a {@link Tokenizer} is thread-safe). */
public final class TokenizerCache {
    private final Map<String, Tokenizer> loaded = new ConcurrentHashMap<>();

    public Tokenizer get(TokenizerRelease release) {
        return loaded.computeIfAbsent(release.getId(), id -> load(release));
    }

    /** Loads tokenizer.json from the release's file URI, refusing a file that is not the released one. */
    static Tokenizer load(TokenizerRelease release) {
        Path file = ArtifactLocation.resolve(release.getLocation());
        try {
            byte[] bytes = Files.readAllBytes(file);
            String sha = Sha256.of(bytes);
            if (release.getSha256().length() == 64 && !release.getSha256().equalsIgnoreCase(sha)) {
                throw new IllegalStateException(file + " has SHA-256 " + sha + ", release " + release.getId()
                        + " says " + release.getSha256() + ": the file was changed after release");
            }
            return Tokenizer.fromFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load tokenizer release " + release.getId() + " from " + file, e);
        }
    }
}
