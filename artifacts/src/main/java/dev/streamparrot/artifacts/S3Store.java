package dev.streamparrot.artifacts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Artifacts in S3 or any server that speaks its protocol ({@code s3://bucket/prefix}): the artifact
 * {@code name} is the objects {@code prefix/name/<file>} plus {@code prefix/name/artifact-manifest.json}. The files
 * are uploaded first (large ones in parts), the manifest LAST; readers look only for manifests, so an artifact whose
 * upload died is invisible (its parts are aborted; a bucket lifecycle rule cleans what an abort could not reach).
 *
 * <p>Reads download into a local cache ({@link S3Settings#cacheDir}), hashing every byte against the manifest;
 * the cache entry is named by the manifest's own hash, so a name rewritten with other content is fetched anew.
 * Every request is retried with exponential backoff ({@link S3Settings#maxAttempts}); credentials come from the
 * SDK's default chain.
 */
public final class S3Store implements ArtifactStore {
    private final S3Client s3;
    private final String bucket;
    private final String prefix; // "" or "a/b/"
    private final S3Settings settings;
    private final Consumer<String> stored;
    private final S3Transfers transfers;

    /** @param store {@code s3://bucket} or {@code s3://bucket/prefix} */
    public S3Store(String store, S3Settings settings) {
        this(store, settings, key -> {});
    }

    /** @param stored told the key of each object or part once the server has stored it (tests stop the server there) */
    S3Store(String store, S3Settings settings, Consumer<String> stored) {
        URI uri = URI.create(store);
        if (!"s3".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("not an S3 store (s3://bucket/prefix): " + store);
        }
        this.bucket = uri.getHost();
        String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+|/+$", "");
        this.prefix = path.isEmpty() ? "" : path + "/";
        this.settings = settings;
        this.stored = stored;
        this.s3 = S3Clients.of(settings);
        this.transfers = new S3Transfers(s3, settings, stored);
    }

    @Override
    public String location(String name) {
        return "s3://" + bucket + "/" + prefix + SourceFiles.checkName(name) + "/";
    }

    @Override
    public Manifest put(String name, Path source) {
        String location = location(name);
        String base = prefix + name + "/";
        Map<String, Path> files = SourceFiles.of(source);
        try {
            if (exists(base + MANIFEST_FILE)) delete(location); // the old one disappears before any new byte lands
            List<Manifest.Entry> entries = new ArrayList<>();
            for (Map.Entry<String, Path> f : files.entrySet()) {
                entries.add(transfers.upload(bucket, base + f.getKey(), f.getKey(), f.getValue()));
            }
            Manifest manifest = new Manifest(name, location, entries, Instant.now());
            s3.putObject(b -> b.bucket(bucket).key(base + MANIFEST_FILE).contentType("application/json"),
                    RequestBody.fromBytes(manifest.toJson()));
            stored.accept(base + MANIFEST_FILE);
            return manifest;
        } catch (SdkException e) {
            throw new ArtifactStoreException("cannot store " + name + " at " + location + " (after up to "
                    + settings.maxAttempts() + " attempts per request): " + e.getMessage() + "; nothing of it is visible", e);
        }
    }

    @Override
    public Path get(String location, Expected expected) {
        if (!location.startsWith("s3://")) return new DirectoryStore(settings.cacheDir()).get(location, expected);
        URI uri = URI.create(location);
        String locBucket = uri.getHost();
        String base = baseKey(uri);
        byte[] manifestJson;
        try {
            String manifestKey = base + MANIFEST_FILE;
            manifestJson = s3.getObjectAsBytes(b -> b.bucket(locBucket).key(manifestKey)).asByteArray();
        } catch (NoSuchKeyException e) {
            throw new NoSuchArtifactException("no artifact at " + location
                    + " (no " + MANIFEST_FILE + ": never written, deleted, or its upload is not complete)");
        } catch (SdkException e) {
            throw new ArtifactStoreException("cannot read " + location + ": " + e.getMessage(), e);
        }
        Manifest manifest = Manifest.fromJson(manifestJson, location);
        manifest.require(expected);
        Path cached = settings.cacheDir().resolve(locBucket).resolve(Sha256.of(manifestJson).substring(0, 32));
        if (Files.isDirectory(cached)) return cached.resolve(expected.file()); // complete and verified when downloaded
        Path tmp = cached.resolveSibling(".tmp-" + cached.getFileName() + "-" + System.nanoTime());
        try {
            Files.createDirectories(tmp);
            for (Manifest.Entry e : manifest.files()) transfers.download(locBucket, base, location, e, tmp);
            Files.write(tmp.resolve(MANIFEST_FILE), manifestJson);
            try {
                Files.move(tmp, cached, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                if (!Files.isDirectory(cached)) throw raced; // else another reader put the same bytes there first
                DirectoryStore.deleteTree(tmp);
            }
            return cached.resolve(expected.file());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot cache " + location + " in " + settings.cacheDir(), e);
        } finally {
            try {
                if (Files.exists(tmp)) DirectoryStore.deleteTree(tmp);
            } catch (IOException ignored) {
                // a hidden temporary directory; harmless
            }
        }
    }

    @Override
    public List<Manifest> list(String namePrefix) {
        List<Manifest> found = new ArrayList<>();
        try {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix + namePrefix)).contents()) {
                if (!o.key().endsWith("/" + MANIFEST_FILE)) continue;
                String base = o.key().substring(0, o.key().length() - MANIFEST_FILE.length());
                try {
                    byte[] json = s3.getObjectAsBytes(b -> b.bucket(bucket).key(o.key())).asByteArray();
                    found.add(Manifest.fromJson(json, "s3://" + bucket + "/" + base));
                } catch (NoSuchKeyException deletedMeanwhile) {
                    // deleted between list and read: not there any more
                }
            }
        } catch (SdkException e) {
            throw new ArtifactStoreException("cannot list s3://" + bucket + "/" + prefix + namePrefix + ": " + e.getMessage(), e);
        }
        found.sort(Comparator.comparing(Manifest::name));
        return found;
    }

    @Override
    public void delete(String location) {
        URI uri = URI.create(location);
        String base = baseKey(uri);
        try {
            s3.deleteObject(b -> b.bucket(uri.getHost()).key(base + MANIFEST_FILE));
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(uri.getHost()).prefix(base)).contents()) {
                s3.deleteObject(b -> b.bucket(uri.getHost()).key(o.key()));
            }
        } catch (SdkException e) {
            throw new ArtifactStoreException("cannot delete " + location + ": " + e.getMessage(), e);
        }
    }

    /** Creates the bucket if it does not exist (the local cluster's S3Proxy starts empty). */
    public void createBucketIfMissing() {
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (software.amazon.awssdk.services.s3.model.NoSuchBucketException e) {
            s3.createBucket(b -> b.bucket(bucket));
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() != 404) throw e;
            s3.createBucket(b -> b.bucket(bucket));
        }
    }

    /** The key prefix of the artifact at this location, ending in '/'. */
    private static String baseKey(URI location) {
        String path = location.getPath().replaceAll("^/+", "");
        return path.endsWith("/") ? path : path + "/";
    }

    private boolean exists(String key) {
        try {
            s3.headObject(b -> b.bucket(bucket).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 404) return false;
            throw e;
        }
    }

    @Override
    public void close() {
        s3.close();
    }
}
