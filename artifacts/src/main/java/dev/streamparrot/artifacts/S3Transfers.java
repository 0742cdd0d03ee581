package dev.streamparrot.artifacts;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * One file up to or down from an S3 object, hashed as it goes: uploads in one request below the multipart
 * threshold, in parts above it (aborted when the upload fails); downloads checked against the manifest's entry.
 */
final class S3Transfers {
    private static final Logger LOG = LoggerFactory.getLogger(S3Transfers.class);

    private final S3Client s3;
    private final S3Settings settings;
    private final Consumer<String> stored;

    /** @param stored told the key of each object or part once the server has stored it */
    S3Transfers(S3Client s3, S3Settings settings, Consumer<String> stored) {
        this.s3 = s3;
        this.settings = settings;
        this.stored = stored;
    }

    /** Uploads {@code file} to {@code bucket/key}; the entry names it {@code path}. */
    Manifest.Entry upload(String bucket, String key, String path, Path file) {
        long size = size(file);
        if (size < settings.multipartThreshold()) {
            String sha = Sha256.of(file);
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(file));
            stored.accept(key);
            return new Manifest.Entry(path, size, sha);
        }
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            MessageDigest digest = Sha256.digest();
            List<CompletedPart> parts = new ArrayList<>();
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(settings.partSize(), Integer.MAX_VALUE - 8));
            for (int partNumber = 1; ; partNumber++) {
                buf.clear();
                while (buf.hasRemaining() && in.read(buf) > 0) { /* fill one part */ }
                if (buf.position() == 0) break;
                byte[] part = Arrays.copyOf(buf.array(), buf.position());
                digest.update(part);
                int n = partNumber;
                String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(n),
                        RequestBody.fromBytes(part)).eTag();
                parts.add(CompletedPart.builder().partNumber(n).eTag(etag).build());
                stored.accept(key + "#part" + n);
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
            stored.accept(key);
            return new Manifest.Entry(path, size, Sha256.hex(digest));
        } catch (IOException | RuntimeException e) {
            abort(bucket, key, uploadId);
            if (e instanceof IOException io) throw new UncheckedIOException("cannot read " + file, io);
            throw (RuntimeException) e;
        }
    }

    private void abort(String bucket, String key, String uploadId) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
        } catch (SdkException e) {
            LOG.warn("could not abort the multipart upload of {} ({}): a bucket lifecycle rule must clean it", key, e.getMessage());
        }
    }

    /**
     * Downloads the entry's object (under {@code base} in {@code bucket}) into {@code dir}, refusing bytes whose
     * size or sha256 differ from the entry's; {@code location} names the artifact in errors.
     */
    void download(String bucket, String base, String location, Manifest.Entry e, Path dir) throws IOException {
        Path file = dir.resolve(e.path());
        Files.createDirectories(file.getParent());
        MessageDigest digest = Sha256.digest();
        long size = 0;
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(base + e.path()));
             OutputStream out = Files.newOutputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                digest.update(buf, 0, n);
                out.write(buf, 0, n);
                size += n;
            }
        } catch (NoSuchKeyException missing) {
            throw new NoSuchArtifactException(location + " lost its file " + e.path() + " (its manifest lists it)");
        } catch (SdkException sdk) {
            throw new ArtifactStoreException("cannot read " + location + e.path() + ": " + sdk.getMessage(), sdk);
        }
        String actual = Sha256.hex(digest);
        if (!actual.equals(e.sha256()) || size != e.size()) {
            throw new ChecksumMismatchException(location + e.path() + " has sha256 " + actual + " (" + size
                    + " bytes), the manifest says " + e.sha256() + " (" + e.size() + " bytes)");
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
