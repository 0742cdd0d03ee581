package dev.streamparrot.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    /** A checkpoint as the trainer writes one: the model's files and a tokenizer.json. */
    private static Checkpoint write(Path dir) throws Exception {
        try (Gpt gpt = Gpt.create(TestModels.tiny(), 1)) {
            gpt.save(dir);
        }
        Files.writeString(dir.resolve(Checkpoint.TOKENIZER_FILE), "{}");
        return new Checkpoint(dir);
    }

    /** Computed here, not by the code under test. */
    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @Test
    void aSavedModelHoldsTheContractsFiles(@TempDir Path tmp) throws Exception {
        Checkpoint written = write(tmp.resolve("step-00000010"));
        for (String f : Checkpoint.FILES) assertTrue(Files.isRegularFile(written.dir().resolve(f)), f);
    }

    @Test
    void anAnnouncedCheckpointOpensAtItsLocationWhenItsWeightsMatch(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run 1").resolve("step-00000010");
        Files.createDirectories(dir);
        Checkpoint written = write(dir);
        String sha = written.weightsSha256();
        assertEquals(sha256(dir.resolve("model.safetensors")), sha);

        Checkpoint opened = Checkpoint.open(written.location(), sha.toUpperCase());
        assertEquals(dir.toAbsolutePath(), opened.dir());
        try (Gpt loaded = Gpt.load(opened.dir())) {
            assertEquals(TestModels.tiny(), loaded.config());
        }
    }

    @Test
    void changedWeightsAreRefusedNamingBothHashes(@TempDir Path tmp) throws Exception {
        Checkpoint written = write(tmp);
        String announced = written.weightsSha256();
        byte[] bytes = Files.readAllBytes(written.weights());
        bytes[bytes.length - 1] ^= 1; // one bit of one weight
        Files.write(written.weights(), bytes);
        String actual = sha256(written.weights());
        assertNotEquals(announced, actual);

        Checkpoint.ChecksumMismatchException e = assertThrows(Checkpoint.ChecksumMismatchException.class,
                () -> Checkpoint.open(written.location(), announced));
        assertTrue(e.getMessage().contains(announced) && e.getMessage().contains(actual), e.getMessage());
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }

    @Test
    void aDirectoryWithoutWeightsIsRefusedByName(@TempDir Path tmp) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.open(tmp.toUri().toString(), "00"));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }

    @Test
    void isServedUnderItsStepAndTokenizer() {
        assertEquals("step-1000-0123456789abcdef", Checkpoint.id(1000, "0123456789abcdef"));
    }
}
