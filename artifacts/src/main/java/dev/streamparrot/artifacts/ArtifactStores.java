package dev.streamparrot.artifacts;

/** Opens the store named by the {@code streamparrot.store} setting: {@code file:/dir} (or a path) or {@code s3://bucket/prefix}. */
public final class ArtifactStores {
    private ArtifactStores() {}

    public static ArtifactStore open(String store, S3Settings s3) {
        if (store == null || store.isBlank()) throw new IllegalArgumentException("no store given (streamparrot.store)");
        if (store.startsWith("s3://")) return new S3Store(store, s3);
        return new DirectoryStore(ArtifactLocation.resolve(store));
    }

    /**
     * A store to read {@code file:} locations (any directory store's) with, for code that is given no store
     * setting: tools and tests on one machine. Nothing writes through it.
     */
    public static ArtifactStore localReader() {
        return new DirectoryStore(java.nio.file.Path.of(""));
    }
}
