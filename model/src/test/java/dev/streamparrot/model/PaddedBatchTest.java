package dev.streamparrot.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rows of different lengths share one padded cache and one forward pass, and get the logits they get alone. */
class PaddedBatchTest {

    @Test
    void paddedRowsJoiningAndLeavingGetTheLogitsTheyGetAlone() {
        GptConfig c = TestModels.tiny();
        int[][] tokens = TestModels.randomTokens(11, 3, 12, c.vocabSize());
        try (Gpt g = TestModels.model(c, TestModels.randomState(c, 4)); NDManager m = NDManager.newBaseManager("PyTorch");
             KvCache shared = g.newCache(); KvCache joiner = g.newCache()) {
            List<List<Integer>> rows = new ArrayList<>(); // each row's real tokens so far
            // rows 0 and 1: prompts of 3 and 6 tokens, left-padded to 6, in one pass
            rows.add(prefix(tokens[0], 3));
            rows.add(prefix(tokens[1], 6));
            int[][] prompt = {{0, 0, 0, tokens[0][0], tokens[0][1], tokens[0][2]}, Arrays.copyOf(tokens[1], 6)};
            NDArray logits = g.forward(Gpt.ids(m, prompt), shared, new int[] {3, 0});
            assertMatchesAlone(g, m, logits, 5, rows);
            assertEquals(3, shared.position(0));
            assertEquals(6, shared.position(1));

            // one token each; then row 0 sits a step out (pad 1) while row 1 advances
            logits = step(g, m, shared, rows, new int[] {tokens[0][3], tokens[1][6]}, new int[] {0, 0});
            assertMatchesAlone(g, m, logits, 0, rows);
            logits = step(g, m, shared, rows, new int[] {99 % c.vocabSize(), tokens[1][7]}, new int[] {1, 0});
            assertMatchesAlone(g, m, logits.get("1:2"), 0, rows.subList(1, 2));

            // row 2 prefilled alone with 2 tokens, then joins the shared cache (which is longer: it pads row 2)
            rows.add(prefix(tokens[2], 2));
            g.forward(Gpt.ids(m, new int[][] {prefix(tokens[2], 2).stream().mapToInt(Integer::intValue).toArray()}), joiner);
            shared.join(joiner);
            assertEquals(0, joiner.rows());
            assertEquals(3, shared.rows());
            logits = step(g, m, shared, rows, new int[] {tokens[0][4], tokens[1][8], tokens[2][2]}, new int[3]);
            assertMatchesAlone(g, m, logits, 0, rows);

            // row 1 (the longest) leaves: the padding every remaining row has is dropped
            long before = shared.length();
            shared.removeRows(1, 2);
            rows.remove(1);
            assertTrue(shared.length() < before, "common padding freed: " + shared.length() + " of " + before);
            logits = step(g, m, shared, rows, new int[] {tokens[0][5], tokens[2][3]}, new int[2]);
            assertMatchesAlone(g, m, logits, 0, rows);
            assertThrows(IllegalArgumentException.class, () -> g.forward(Gpt.ids(m, new int[3][1]), shared, new int[3]));
        }
    }

    /** Feeds one token per row (a padded row's token is not kept) and returns the (B,1,V) logits. */
    private static NDArray step(Gpt g, NDManager m, KvCache cache, List<List<Integer>> rows, int[] next, int[] pad) {
        int[][] ids = new int[next.length][1];
        for (int r = 0; r < next.length; r++) {
            ids[r][0] = next[r];
            if (pad[r] == 0) rows.get(r).add(next[r]);
        }
        return g.forward(Gpt.ids(m, ids), cache, pad);
    }

    /** logits[r, t] equals the last logits of a full forward pass over row r alone. */
    private static void assertMatchesAlone(Gpt g, NDManager m, NDArray logits, int t, List<List<Integer>> rows) {
        for (int r = 0; r < rows.size(); r++) {
            int[] row = rows.get(r).stream().mapToInt(Integer::intValue).toArray();
            float[] alone = g.forward(Gpt.ids(m, new int[][] {row}), false).get("0, -1, :").toFloatArray();
            float[] batched = logits.get(r + ", " + t + ", :").toFloatArray();
            double maxDiff = 0;
            for (int v = 0; v < alone.length; v++) maxDiff = Math.max(maxDiff, Math.abs(alone[v] - batched[v]));
            assertTrue(maxDiff < 1e-4, "row " + r + ": max |alone - batched| = " + maxDiff);
        }
    }

    private static List<Integer> prefix(int[] tokens, int n) {
        return new ArrayList<>(Arrays.stream(tokens, 0, n).boxed().toList());
    }
}
