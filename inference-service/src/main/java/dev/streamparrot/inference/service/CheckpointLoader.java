package dev.streamparrot.inference.service;

import dev.streamparrot.model.Gpt;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Reads a checkpoint directory ({@code model.safetensors}, {@code config.json}, {@code tokenizer.json})
 * into a {@link LoadedModel}. An announced checkpoint is checked against its sha256 first: a file
 * that changed or arrived half-written is refused before it can replace a working model.
 */
public final class CheckpointLoader {
    public static final String TOKENIZER_FILE = "tokenizer.json";

    /** Thrown when the weights are not the ones announced. */
    public static final class ChecksumMismatchException extends RuntimeException {
        public ChecksumMismatchException(String message) {
            super(message);
        }
    }

    /** Loads an announced checkpoint; its id is {@code step-<step>-<tokenizerId>}. */
    public LoadedModel load(CheckpointAnnouncement announcement) {
        Path dir = directory(announcement.getLocation().toString());
        String id = "step-" + announcement.getStep() + "-" + announcement.getTokenizerId();
        return load(dir, id, announcement.getSha256().toString());
    }

    /** Loads a local directory without an announcement; its id is {@code <dir name>-<tokenizer id>}. */
    public LoadedModel load(Path dir) {
        return load(dir, null, null);
    }

    /**
     * @param id             the public model id, or null for {@code <dir name>-<tokenizer id>}
     * @param expectedSha256 hex sha256 of model.safetensors, or null to skip the check
     */
    public LoadedModel load(Path dir, String id, String expectedSha256) {
        Path weights = dir.resolve(Gpt.WEIGHTS_FILE);
        if (expectedSha256 != null) {
            String actual = sha256(weights);
            if (!actual.equalsIgnoreCase(expectedSha256)) {
                throw new ChecksumMismatchException(weights + " has sha256 " + actual + ", the announcement says " + expectedSha256);
            }
        }
        Tokenizer tokenizer;
        try {
            tokenizer = Tokenizer.fromFile(dir.resolve(TOKENIZER_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Gpt gpt = Gpt.load(dir);
        if (tokenizer.vocabSize() > gpt.config().vocabSize()) {
            gpt.close();
            throw new IllegalArgumentException("tokenizer has " + tokenizer.vocabSize() + " tokens, the model only "
                    + gpt.config().vocabSize());
        }
        String name = id != null ? id : dir.toAbsolutePath().normalize().getFileName() + "-" + tokenizer.id();
        return new LoadedModel(name, new GptLanguageModel(gpt), new TokenizerCodec(tokenizer), gpt::close);
    }

    /** A checkpoint location: a {@code file:} URI or a plain path. */
    static Path directory(String location) {
        if (location.startsWith("file:")) return Path.of(URI.create(location));
        if (location.contains("://")) throw new IllegalArgumentException("only local checkpoints (file: URIs) are supported: " + location);
        return Path.of(location);
    }

    /** Hex sha256 of a file, as {@code sha256sum} prints it. */
    public static String sha256(Path file) {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
