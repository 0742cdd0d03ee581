package dev.streamparrot.tokenize.stream;

import dev.streamparrot.artifacts.ArtifactStore;
import dev.streamparrot.artifacts.ArtifactStores;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.tokenize.train.TokenizerStore;
import dev.streamparrot.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Loaded tokenizers by release id, shared by all stream threads (a {@link Tokenizer} is thread-safe). */
public final class TokenizerCache {
    private final Map<String, Tokenizer> loaded = new ConcurrentHashMap<>();
    private final ArtifactStore store;

    /** Reads releases through this store (which also reads {@code file:} locations). */
    public TokenizerCache(ArtifactStore store) {
        this.store = store;
    }

    /** Reads {@code file:} locations only. */
    public TokenizerCache() {
        this(ArtifactStores.localReader());
    }

    public Tokenizer get(TokenizerRelease release) {
        return loaded.computeIfAbsent(release.getId(), id -> load(store, release));
    }

    /**
     * Loads tokenizer.json from the release's location, refusing bytes that are not the released ones
     * (the store's {@link dev.streamparrot.artifacts.ChecksumMismatchException} names both hashes).
     */
    static Tokenizer load(ArtifactStore store, TokenizerRelease release) {
        Path file = store.get(release.getLocation(), new ArtifactStore.Expected(TokenizerStore.TOKENIZER_FILE, release.getSha256()));
        try {
            return Tokenizer.fromFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load tokenizer release " + release.getId() + " from " + file, e);
        }
    }
}
