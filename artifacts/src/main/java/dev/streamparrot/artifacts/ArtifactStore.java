package dev.streamparrot.artifacts;

import java.nio.file.Path;
import java.util.List;

/**
 * Where tokenizer releases and checkpoints are kept so that every machine can read them: the one contract of
 * every producer and reader of artifacts. An artifact is a directory of files (a checkpoint's weights, config
 * and tokenizer.json; a release's tokenizer.json), stored under a name with a {@link Manifest} that lists each
 * file's size and sha256. It becomes visible only when complete: a reader finds an artifact whose manifest
 * exists, or none at all, never half of one.
 *
 * <p>Implementations: {@link DirectoryStore} ({@code file:}, one machine) and {@link S3Store}
 * ({@code s3://bucket/prefix}); {@link ArtifactStores#open} picks one from the {@code streamparrot.store} setting.
 */
public interface ArtifactStore extends AutoCloseable {

    /** The name of the manifest inside every artifact. */
    String MANIFEST_FILE = "artifact-manifest.json";

    /**
     * Stores a directory's files (recursively), or a single file, under this name, computing each file's sha256;
     * an artifact of the same name is replaced. Returns the manifest, whose {@link Manifest#location()} is what an
     * announcement carries. Throws {@link ArtifactStoreException} when the store cannot be written; then nothing
     * new is visible.
     *
     * @param name slash-separated, e.g. {@code checkpoints/run-1/step-00000100}; no {@code ..}, no leading slash
     */
    Manifest put(String name, Path source);

    /**
     * The announced file of the artifact at this location, on this machine, with the artifact's other files beside
     * it (its parent directory is the artifact): every file checked against the manifest, and {@code expected}
     * against both the manifest and the bytes. A mismatch throws {@link ChecksumMismatchException} naming both
     * hashes; an artifact that is not there (or not complete) throws {@link NoSuchArtifactException}.
     */
    Path get(String location, Expected expected);

    /** The complete artifacts whose names start with this prefix, by name. */
    List<Manifest> list(String namePrefix);

    /** Removes the artifact at this location: first its manifest (it is invisible from then on), then its files. */
    void delete(String location);

    /** The location an artifact of this name has (or would have) in this store. */
    String location(String name);

    @Override
    default void close() {}

    /**
     * The file an announcement hashes, and the hash it announces: a release's {@code tokenizer.json}, a
     * checkpoint's {@code model.safetensors}.
     */
    record Expected(String file, String sha256) {
        public Expected {
            if (file == null || file.isBlank()) throw new IllegalArgumentException("no file named");
            if (sha256 == null || !sha256.matches("[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException("not a hex sha256: " + sha256);
            }
            sha256 = sha256.toLowerCase(java.util.Locale.ROOT);
        }
    }
}
