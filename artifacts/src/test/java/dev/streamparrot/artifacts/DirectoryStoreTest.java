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
    /** A checkpoint-like artifact put into a new store under tmp, and what a reader expects of its weights. */
    private record Stored(DirectoryStore store, Path src, Manifest manifest, ArtifactStore.Expected weights) {
        static Stored put(Path tmp, String name, long seed) throws Exception {
            Path src = S3StoreTest.checkpointLike(tmp.resolve("src"), 5000, new Random(seed));
            DirectoryStore store = new DirectoryStore(tmp.resolve("store"));
            Manifest m = store.put(name, src);
            return new Stored(store, src, m, new ArtifactStore.Expected("model.safetensors", Sha256.of(src.resolve("model.safetensors"))));
        }
    }

    @Test
    void roundTripsListsReplacesAndDeletes(@TempDir Path tmp) throws Exception {
        Stored stored = Stored.put(tmp, "checkpoints/run/step-00000002", 1);
        DirectoryStore store = stored.store();
        Path src = stored.src();
        Manifest m = stored.manifest();
        Path got = store.get(m.location(), stored.weights()).getParent();
        assertArrayEquals(Files.readAllBytes(src.resolve("sub/extra.bin")), Files.readAllBytes(got.resolve("sub/extra.bin")));
        assertEquals(m.location(), store.location("checkpoints/run/step-00000002"));
        // a second put of the same name replaces it; nothing temporary stays behind
        Path other = S3StoreTest.checkpointLike(tmp.resolve("src2"), 6000, new Random(2));
        store.put("checkpoints/run/step-00000002", other);
        assertEquals(List.of("checkpoints/run/step-00000002"), store.list("checkpoints/").stream().map(Manifest::name).toList());
        try (var files = Files.list(tmp.resolve("store/checkpoints/run"))) {
            assertEquals(List.of("step-00000002"), files.map(p -> p.getFileName().toString()).toList());
        }
        assertThrows(ChecksumMismatchException.class, () -> store.get(m.location(), stored.weights()));
        store.delete(m.location());
        assertEquals(List.of(), store.list(""));
        assertThrows(NoSuchArtifactException.class, () -> store.get(m.location(), stored.weights()));
    }

    @Test
    void refusesChangedBytesNamingBothHashes(@TempDir Path tmp) throws Exception {
        Stored stored = Stored.put(tmp, "a", 3);
        String sha = stored.weights().sha256();
        Path weights = ArtifactLocation.resolve(stored.manifest().location()).resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        bytes[7] ^= 1;
        Files.write(weights, bytes);
        ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class,
                () -> stored.store().get(stored.manifest().location(), stored.weights()));
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
