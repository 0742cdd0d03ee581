package dev.streamparrot.packer.core;

import dev.streamparrot.schemas.Split;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Train/valid split by repository: a repository's files all land in the same split, so the validation
 * loss never scores code whose near twin was trained on. SHA-256 rather than {@code String.hashCode}
 * because the split must not change with the JVM, the language or the number of packers.
 *
 * @param validShare fraction of repositories sent to {@link Split#VALID}, in [0, 1]
 */
public record RepoSplit(double validShare) {
    public static final double DEFAULT_VALID_SHARE = 0.01;

    public RepoSplit {
        if (!(validShare >= 0 && validShare <= 1)) throw new IllegalArgumentException("validShare must be in [0, 1]: " + validShare);
    }

    public Split of(String repo) {
        return position(repo) < validShare ? Split.VALID : Split.TRAIN;
    }

    /** Where the repository falls in [0, 1): the first 53 bits of SHA-256 of its UTF-8 name. */
    static double position(String repo) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(repo.getBytes(StandardCharsets.UTF_8));
            return (ByteBuffer.wrap(digest).getLong() >>> 11) / (double) (1L << 53);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
