package dev.streamparrot.artifacts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a complete artifact holds: its name, its location in the store, and each file's relative path, size and
 * sha256. Written last, so its presence is what makes an artifact visible.
 */
public record Manifest(String name, String location, List<Entry> files, Instant createdAt) {
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    /** One file of an artifact. */
    public record Entry(String path, long size, String sha256) {}

    public Manifest {
        files = List.copyOf(files);
    }

    public Optional<Entry> entry(String path) {
        return files.stream().filter(e -> e.path().equals(path)).findFirst();
    }

    /**
     * Checks that the announced file is in this manifest with the announced hash; the bytes are checked against
     * the manifest when they are read.
     */
    public void require(ArtifactStore.Expected expected) {
        Entry entry = entry(expected.file()).orElseThrow(() -> new NoSuchArtifactException(
                location + " holds no " + expected.file() + " (its manifest lists " + files.stream().map(Entry::path).toList() + ")"));
        if (!entry.sha256().equalsIgnoreCase(expected.sha256())) {
            throw new ChecksumMismatchException(location + expected.file() + " has sha256 " + entry.sha256()
                    + " in the store's manifest, the announcement says " + expected.sha256());
        }
    }

    public byte[] toJson() {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(new Json(name, files, createdAt.toString()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a manifest; the location is where it was found, not what it says (a copied store stays readable). */
    public static Manifest fromJson(byte[] json, String location) {
        try {
            Json j = JSON.readValue(json, Json.class);
            return new Manifest(j.name(), location, j.files(), Instant.parse(j.createdAt()));
        } catch (java.io.IOException | RuntimeException e) {
            throw new ArtifactStoreException("unreadable manifest at " + location + ": " + e.getMessage(), e);
        }
    }

    private record Json(String name, List<Entry> files, String createdAt) {}
}
