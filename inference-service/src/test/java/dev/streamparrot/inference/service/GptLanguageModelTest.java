package dev.streamparrot.inference.service;

import dev.streamparrot.model.generate.GptLanguageModel;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.streamparrot.model.generate.LanguageModel;
import dev.streamparrot.inference.testing.TinyCheckpoint;
import dev.streamparrot.model.Checkpoint;
import dev.streamparrot.model.Gpt;
import dev.streamparrot.model.GptConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The adapter's cached, incremental logits equal a full forward pass over each row's whole sequence. */
class GptLanguageModelTest {

    @Test
    void incrementalLogitsOfRowsOfDifferentLengthsMatchFullForwardPasses() {
        GptConfig config = GptConfig.of(97, 32, 32, 2, 2).withDropout(0);
        try (Gpt gpt = Gpt.create(config, 7)) {
            GptLanguageModel model = new GptLanguageModel(gpt);
            assertEquals(32, model.contextLength());
            assertEquals(97, model.vocabSize());
            List<int[]> prompts = List.of(new int[] {5, 6, 7}, new int[] {1, 2, 3, 4, 5}, new int[] {9, 8, 7});
            List<List<Integer>> rows = new ArrayList<>();
            for (int[] p : prompts) rows.add(new ArrayList<>(Arrays.stream(p).boxed().toList()));
            try (LanguageModel.Batch batch = model.start(prompts)) {
                for (int step = 0; step < 6; step++) {
                    float[][] logits = batch.nextLogits();
                    for (int r = 0; r < rows.size(); r++) {
                        float[] expected = fullForwardLastLogits(gpt, rows.get(r));
                        assertEquals(expected.length, logits[r].length);
                        for (int v = 0; v < expected.length; v++) {
                            assertEquals(expected[v], logits[r][v], 1e-4, "row " + r + " step " + step + " token " + v);
                        }
                    }
                    int[] next = new int[rows.size()];
                    for (int r = 0; r < next.length; r++) {
                        next[r] = (step * 31 + r * 17) % 97;
                        rows.get(r).add(next[r]);
                    }
                    batch.append(next);
                }
            }
        }
    }

    @Test
    void batchesStartedAtDifferentTimesShareOneForwardPassPerStepAndGetTheirOwnLogits() {
        GptConfig config = GptConfig.of(97, 32, 32, 2, 2).withDropout(0);
        try (Gpt gpt = Gpt.create(config, 11)) {
            GptLanguageModel model = new GptLanguageModel(gpt);
            List<List<List<Integer>>> sequences = new ArrayList<>(); // per batch, per row
            List<LanguageModel.Batch> batches = new ArrayList<>();
            List<List<int[]>> prompts = List.of(
                    List.of(new int[] {5, 6, 7}, new int[] {1, 2, 3, 4, 5}),
                    List.of(new int[] {9}),
                    List.of(new int[] {40, 41, 42, 43, 44, 45, 46}, new int[] {3, 3}, new int[] {8, 9, 10}));
            for (int step = 0; step < 8; step++) {
                if (step % 2 == 0 && step / 2 < prompts.size()) { // a new batch joins every other step
                    List<int[]> p = prompts.get(step / 2);
                    batches.add(model.start(p));
                    List<List<Integer>> rows = new ArrayList<>();
                    for (int[] row : p) rows.add(new ArrayList<>(Arrays.stream(row).boxed().toList()));
                    sequences.add(rows);
                }
                if (step == 6) { // the first batch leaves
                    batches.remove(0).close();
                    sequences.remove(0);
                }
                long passes = model.forwardPasses();
                for (int b = 0; b < batches.size(); b++) { // as the decode loop does: each batch reads, then appends
                    float[][] logits = batches.get(b).nextLogits();
                    List<List<Integer>> rows = sequences.get(b);
                    int[] next = new int[rows.size()];
                    for (int r = 0; r < rows.size(); r++) {
                        float[] expected = fullForwardLastLogits(gpt, rows.get(r));
                        for (int v = 0; v < expected.length; v++) {
                            assertEquals(expected[v], logits[r][v], 1e-4, "batch " + b + " row " + r + " step " + step);
                        }
                        next[r] = (step * 31 + r * 17 + b * 5) % 97;
                        rows.get(r).add(next[r]);
                    }
                    batches.get(b).append(next);
                }
                if (step > 0) {
                    assertEquals(passes + 1, model.forwardPasses(), "one forward pass for every batch's step " + step);
                }
            }
            batches.forEach(LanguageModel.Batch::close);
        }
    }

    @Test
    void refusesEmptyPrompts() {
        try (Gpt gpt = Gpt.create(GptConfig.of(50, 16, 16, 1, 2), 1)) {
            assertThrows(IllegalArgumentException.class, () -> new GptLanguageModel(gpt).start(List.of(new int[] {1}, new int[0])));
        }
    }

    private static float[] fullForwardLastLogits(Gpt gpt, List<Integer> row) {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray logits = gpt.forward(Gpt.ids(m, new int[][] {row.stream().mapToInt(Integer::intValue).toArray()}), false);
            return logits.get("0, " + (row.size() - 1) + ", :").toFloatArray();
        }
    }

    @Test
    void aCheckpointWithGpt2sTokenizerLoadsAndChecksItsSha256(@TempDir Path tmp) {
        Path dir = TinyCheckpoint.write(tmp.resolve("ckpt"), TinyCheckpoint.tinyConfig(64), 3);
        String sha = TinyCheckpoint.sha256(dir);
        CheckpointLoader loader = new CheckpointLoader();
        LoadedModel good = loader.load(dir, "step-1-gpt2", sha);
        try {
            assertEquals("step-1-gpt2", good.id());
            assertEquals(50257, good.model().vocabSize());
            assertEquals(50256, good.codec().endOfText().getAsInt());
            String text = "def area_of_rectangle(a: float, b: float):";
            assertEquals(text, good.codec().decode(good.codec().encode(text)));
        } finally {
            good.retire();
        }
        assertTrue(good.isFreed(), "a retired model nobody uses is freed at once");
        String wrong = sha.substring(1) + (sha.charAt(0) == '0' ? '1' : '0');
        assertThrows(Checkpoint.ChecksumMismatchException.class, () -> loader.load(dir, "step-1-gpt2", wrong));
        LoadedModel unnamed = loader.load(dir);
        assertTrue(unnamed.id().startsWith("ckpt-"), unnamed.id());
        unnamed.retire();
    }
}
