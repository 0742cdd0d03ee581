package dev.streamparrot.artifacts;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How to reach an S3 store. Credentials are not here: they come from the AWS SDK's default chain (the
 * {@code aws.accessKeyId}/{@code aws.secretAccessKey} system properties, {@code AWS_ACCESS_KEY_ID}/
 * {@code AWS_SECRET_ACCESS_KEY}, {@code ~/.aws/credentials}, a container or instance role).
 *
 * @param endpoint           null for AWS itself; else the server, e.g. {@code http://127.0.0.1:9000} (MinIO, Ceph,
 *                           R2, GCS's S3 API, S3Proxy)
 * @param pathStyle          {@code http://host/bucket/key} instead of {@code http://bucket.host/key}; what most
 *                           S3-compatible servers want
 * @param region             the signing region ({@code us-east-1} for servers that ignore it)
 * @param multipartThreshold files of at least this many bytes are uploaded in parts
 * @param partSize           the size of each part but the last (S3 wants at least 5 MiB, except S3Proxy's local backends)
 * @param maxAttempts        attempts per request, with the SDK's exponential backoff and jitter between them
 * @param cacheDir           where downloaded artifacts are kept on this machine
 */
public record S3Settings(URI endpoint, boolean pathStyle, String region, long multipartThreshold, long partSize,
                         int maxAttempts, Path cacheDir) {
    public static final long DEFAULT_MULTIPART_THRESHOLD = 64L << 20;
    public static final long DEFAULT_PART_SIZE = 16L << 20;
    public static final int DEFAULT_MAX_ATTEMPTS = 5;

    public S3Settings {
        if (partSize < 1 || multipartThreshold < 1) throw new IllegalArgumentException("part size and threshold must be positive");
        if (maxAttempts < 1) throw new IllegalArgumentException("max attempts must be at least 1");
        if (region == null || region.isBlank()) region = "us-east-1";
    }

    /** AWS defaults (virtual-host style, us-east-1), downloads cached under this directory. */
    public static S3Settings defaults(Path cacheDir) {
        return new S3Settings(null, false, "us-east-1", DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE, DEFAULT_MAX_ATTEMPTS, cacheDir);
    }

    public S3Settings withEndpoint(URI endpoint, boolean pathStyle) {
        return new S3Settings(endpoint, pathStyle, region, multipartThreshold, partSize, maxAttempts, cacheDir);
    }

    public S3Settings withMultipart(long threshold, long partSize) {
        return new S3Settings(endpoint, pathStyle, region, threshold, partSize, maxAttempts, cacheDir);
    }

    public S3Settings withMaxAttempts(int maxAttempts) {
        return new S3Settings(endpoint, pathStyle, region, multipartThreshold, partSize, maxAttempts, cacheDir);
    }

    /** The base delay of the backoff between attempts. */
    Duration backoffBase() {
        return Duration.ofMillis(100);
    }
}
