package dev.streamparrot.tokenize.train;

import dev.streamparrot.artifacts.ArtifactStore;
import dev.streamparrot.artifacts.Manifest;
import dev.streamparrot.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Released tokenizers in the artifact store: the artifact {@code tokenizers/<id>} holds {@code tokenizer.json}
 * and {@code report.txt}, with the id the content hash of tokenizer.json. A release is written once and never
 * changed, so its id names it forever; the store makes it visible only when complete.
 */
public final class TokenizerStore {
    public static final String TOKENIZER_FILE = "tokenizer.json";

    private final ArtifactStore store;

    public TokenizerStore(ArtifactStore store) {
        this.store = store;
    }

    /** Stores the tokenizer (if this content is not stored yet) and returns the stored artifact's manifest. */
    public Manifest put(Tokenizer tokenizer, String report) throws IOException {
        String name = "tokenizers/" + tokenizer.id();
        Optional<Manifest> stored = store.list(name).stream().filter(m -> m.name().equals(name)).findFirst();
        if (stored.isPresent()) return stored.get();
        Path staging = Files.createTempDirectory("tokenizer-" + tokenizer.id());
        try {
            tokenizer.save(staging.resolve(TOKENIZER_FILE));
            Files.writeString(staging.resolve("report.txt"), report);
            return store.put(name, staging);
        } finally {
            try (Stream<Path> files = Files.walk(staging)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }
}
