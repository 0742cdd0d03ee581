package dev.streamparrot.artifacts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryStoreTest {

    @Test
    void roundTripsListsReplacesAndDeletes(@TempDir Path tmp) throws Exception {
        Path src = S3StoreTest.checkpointLike(tmp.resolve("src"), 5000, new Random(1));
        DirectoryStore store = new DirectoryStore(tmp.resolve("store"));
        Manifest m = store.put("checkpoints/run/step-00000002", src);
        String sha = Sha256.of(src.resolve("model.safetensors"));
        Path got = store.get(m.location(), new ArtifactStore.Expected("model.safetensors", sha)).getParent();
        assertArrayEquals(Files.readAllBytes(src.resolve("sub/extra.bin")), Files.readAllBytes(got.resolve("sub/extra.bin")));
        assertEquals(m.location(), store.location("checkpoints/run/step-00000002"));
        // a second put of the same name replaces it; nothing temporary stays behind
        Path other = S3StoreTest.checkpointLike(tmp.resolve("src2"), 6000, new Random(2));
        store.put("checkpoints/run/step-00000002", other);
        assertEquals(List.of("checkpoints/run/step-00000002"), store.list("checkpoints/").stream().map(Manifest::name).toList());
        try (var files = Files.list(tmp.resolve("store/checkpoints/run"))) {
            assertEquals(List.of("step-00000002"), files.map(p -> p.getFileName().toString()).toList());
        }
        assertThrows(ChecksumMismatchException.class, () -> store.get(m.location(), new ArtifactStore.Expected("model.safetensors", sha)));
        store.delete(m.location());
        assertEquals(List.of(), store.list(""));
        assertThrows(NoSuchArtifactException.class, () -> store.get(m.location(), new ArtifactStore.Expected("model.safetensors", sha)));
    }

    @Test
    void refusesChangedBytesNamingBothHashes(@TempDir Path tmp) throws Exception {
        Path src = S3StoreTest.checkpointLike(tmp.resolve("src"), 5000, new Random(3));
        DirectoryStore store = new DirectoryStore(tmp.resolve("store"));
        Manifest m = store.put("a", src);
        String sha = Sha256.of(src.resolve("model.safetensors"));
        Path weights = ArtifactLocation.resolve(m.location()).resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        bytes[7] ^= 1;
        Files.write(weights, bytes);
        ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class,
                () -> store.get(m.location(), new ArtifactStore.Expected("model.safetensors", sha)));
        assertTrue(e.getMessage().contains(sha) && e.getMessage().contains(Sha256.of(bytes)), e.getMessage());
    }

    @Test
    void readsAFileAnnouncedBeforeTheStoreExisted(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("tokenizer.json"), "{}");
        Path got = new DirectoryStore(tmp.resolve("store")).get(ArtifactLocation.of(file),
                new ArtifactStore.Expected("tokenizer.json", Sha256.of(file)));
        assertEquals(file, got);
    }

    @Test
    void refusesNamesThatEscapeTheStore(@TempDir Path tmp) {
        DirectoryStore store = new DirectoryStore(tmp);
        for (String bad : List.of("../x", "/abs", ".tmp-x", "a/../b", "a//b", "")) {
            assertThrows(IllegalArgumentException.class, () -> store.location(bad), bad);
        }
    }
}
