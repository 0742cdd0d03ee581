package dev.streamparrot.model;

import dev.streamparrot.artifacts.ArtifactLocation;
import dev.streamparrot.artifacts.ArtifactStore;
import dev.streamparrot.artifacts.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The checkpoint contract between the trainer that writes checkpoints and the inference service that
 * serves them: a directory holding {@link #FILES} (HF's layout: {@code from_pretrained} opens it), announced
 * with its location, the sha256 of its weights and a served model id. Whatever a writer adds beside them
 * (the trainer's optimizer and resume state) is the writer's own business; a reader needs only these.
 *
 * @param dir the checkpoint directory
 */
public record Checkpoint(Path dir) {
    public static final String WEIGHTS_FILE = Gpt.WEIGHTS_FILE;
    public static final String TOKENIZER_FILE = "tokenizer.json";
    /** What every checkpoint holds: weights, model and generation config, tokenizer. */
    public static final List<String> FILES = List.of(WEIGHTS_FILE, GptConfig.CONFIG_FILE,
            GptConfig.GENERATION_CONFIG_FILE, TOKENIZER_FILE);

    /** Thrown when the weights are not the ones announced (the artifact store's mismatch, for a checkpoint). */
    public static final class ChecksumMismatchException extends dev.streamparrot.artifacts.ChecksumMismatchException {
        public ChecksumMismatchException(String message) {
            super(message);
        }
    }

    /** The id a checkpoint is served under: {@code step-<step>-<tokenizer id>}. */
    public static String id(long step, String tokenizerId) {
        return "step-" + step + "-" + tokenizerId;
    }

    /**
     * The announced checkpoint at this location, verified: its weights must have this sha256 (a file that
     * changed or arrived half-written is refused before it can replace a working model).
     */
    public static Checkpoint open(String location, String expectedSha256) {
        Checkpoint checkpoint = new Checkpoint(ArtifactLocation.resolve(location));
        checkpoint.verify(expectedSha256);
        return checkpoint;
    }

    /**
     * The announced checkpoint at this store location, fetched to this machine if the store is remote and verified
     * there: the store refuses weights whose sha256 is not the announced one, naming both hashes.
     */
    public static Checkpoint open(ArtifactStore store, String location, String expectedSha256) {
        Path weights = store.get(location, new ArtifactStore.Expected(WEIGHTS_FILE, expectedSha256));
        return new Checkpoint(weights.getParent());
    }

    /** Throws {@link ChecksumMismatchException}, naming both hashes, unless the weights have this sha256. */
    public void verify(String expectedSha256) {
        String actual = weightsSha256();
        if (!actual.equalsIgnoreCase(expectedSha256)) {
            throw new ChecksumMismatchException(weights() + " has sha256 " + actual + ", the announcement says " + expectedSha256);
        }
    }

    /** Hex sha256 of the weights, as announced. */
    public String weightsSha256() {
        if (!Files.isRegularFile(weights())) throw new IllegalArgumentException(dir + " holds no " + WEIGHTS_FILE);
        return Sha256.of(weights());
    }

    /** Where this checkpoint is, as announced. */
    public String location() {
        return ArtifactLocation.of(dir);
    }

    public Path weights() {
        return dir.resolve(WEIGHTS_FILE);
    }

    public Path tokenizerFile() {
        return dir.resolve(TOKENIZER_FILE);
    }
}
