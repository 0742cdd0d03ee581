package dev.streamparrot.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The project's one SHA-256 of an artifact (a tokenizer.json, a checkpoint's weights): lowercase hex, as
 * {@code sha256sum} prints it. It lives in {@code artifacts}, the plain library every
 * module that writes or reads artifacts already depends on.
 */
public final class Sha256 {
    private Sha256() {}

    /** Hex SHA-256 of these bytes. */
    public static String of(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    /** Hex SHA-256 of a file's content, read in blocks (checkpoints are too large to hold in memory twice). */
    public static String of(Path file) {
        MessageDigest digest = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) digest.update(buf, 0, n);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash " + file, e);
        }
        return hex(digest);
    }

    /** The digest's hash, as {@link #of} writes it. */
    static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    /** A fresh SHA-256 digest, for bytes that stream by (uploads and downloads hash as they go). */
    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
