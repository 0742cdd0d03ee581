package dev.streamparrot.artifacts;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The store every service writes and reads artifacts through, from the same keys everywhere:
 * {@code streamparrot.store.uri} ({@code file:/dir} or {@code s3://bucket/prefix}) and, for S3,
 * {@code streamparrot.store.s3.*}. A location in a record names its own store, so a reader reads a
 * {@code file:} location whatever store it writes to.
 *
 * @param store the store URI
 * @param s3    how to reach S3 (used only by an {@code s3://} store)
 */
public record StoreSettings(String store, S3Settings s3) {
    public static final String PREFIX = "streamparrot.store.";
    public static final String STORE = PREFIX + "uri";

    /** Every key, with what it means; the compose/k8s files and the local cluster set these. */
    public static final Map<String, String> KEYS = Map.of(
            STORE, "where artifacts are stored: file:/dir or s3://bucket/prefix (default: file:<data-dir>/store)",
            PREFIX + "cache-dir", "where an S3 store's downloads are kept on this machine (default <data-dir>/store-cache)",
            PREFIX + "s3.endpoint", "S3 endpoint, e.g. http://minio:9000 (default: AWS)",
            PREFIX + "s3.path-style", "path-style requests, as MinIO/Ceph/S3Proxy want (default false)",
            PREFIX + "s3.region", "signing region (default us-east-1)",
            PREFIX + "s3.multipart-threshold", "files of at least this many bytes go up in parts (default 64 MiB)",
            PREFIX + "s3.part-size", "bytes per part, at least 5 MiB on S3 (default 16 MiB)",
            PREFIX + "s3.max-attempts", "attempts per request, with exponential backoff (default 5)");

    /**
     * @param property answers a full key ({@code streamparrot.store.s3.endpoint})
     * @param dataDir  this service's data directory: the default store and cache live under it
     */
    public static StoreSettings from(Function<String, Optional<String>> property, Path dataDir) {
        Function<String, Optional<String>> value = key -> property.apply(key).filter(v -> !v.isBlank());
        S3Settings s3 = new S3Settings(
                value.apply(PREFIX + "s3.endpoint").map(URI::create).orElse(null),
                value.apply(PREFIX + "s3.path-style").map(Boolean::parseBoolean).orElse(false),
                value.apply(PREFIX + "s3.region").orElse("us-east-1"),
                value.apply(PREFIX + "s3.multipart-threshold").map(Long::parseLong).orElse(S3Settings.DEFAULT_MULTIPART_THRESHOLD),
                value.apply(PREFIX + "s3.part-size").map(Long::parseLong).orElse(S3Settings.DEFAULT_PART_SIZE),
                value.apply(PREFIX + "s3.max-attempts").map(Integer::parseInt).orElse(S3Settings.DEFAULT_MAX_ATTEMPTS),
                value.apply(PREFIX + "cache-dir").map(Path::of).orElse(dataDir.resolve("store-cache")));
        String store = value.apply(STORE).orElse(ArtifactLocation.of(dataDir.resolve("store")));
        return new StoreSettings(store, s3);
    }

    /**
     * Settings for command-line tools, found where a service finds them: a system property
     * ({@code -Dstreamparrot.store.uri=...}), else the environment variable Micronaut would read
     * ({@code STREAMPARROT_STORE_URI}), so a one-shot job given a service's environment uses its store.
     */
    public static StoreSettings fromSystem(Path dataDir) {
        return from(key -> Optional.ofNullable(System.getProperty(key)).or(() -> Optional.ofNullable(System.getenv(variable(key)))), dataDir);
    }

    /** The environment variable of a key, as Micronaut maps it: {@code streamparrot.store.s3.path-style} is {@code STREAMPARROT_STORE_S3_PATH_STYLE}. */
    public static String variable(String key) {
        return key.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
    }

    public ArtifactStore open() {
        return ArtifactStores.open(store, s3);
    }
}
