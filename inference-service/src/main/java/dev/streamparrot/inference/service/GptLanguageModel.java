package dev.streamparrot.inference.service;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.streamparrot.inference.generation.LanguageModel;
import dev.streamparrot.model.Gpt;
import dev.streamparrot.model.KvCache;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The project's {@link Gpt} behind the generation loop's {@link LanguageModel}.
 *
 * <p>The model's KV cache holds one length for all its rows (no padding mask), so rows are grouped
 * by prompt length: each group is one cache and one forward call per step, and the n choices of a
 * request (same prompt) always decode as one batch. After the prompt, every step feeds one position.
 */
public final class GptLanguageModel implements LanguageModel {
    private final Gpt gpt;

    public GptLanguageModel(Gpt gpt) {
        this.gpt = gpt;
    }

    public Gpt gpt() {
        return gpt;
    }

    @Override
    public int contextLength() {
        return gpt.config().nPositions();
    }

    @Override
    public int vocabSize() {
        return gpt.config().vocabSize();
    }

    @Override
    public Batch start(List<int[]> prompts) {
        Map<Integer, List<Integer>> rowsByLength = new LinkedHashMap<>();
        for (int r = 0; r < prompts.size(); r++) {
            if (prompts.get(r).length == 0) throw new IllegalArgumentException("empty prompt in row " + r);
            rowsByLength.computeIfAbsent(prompts.get(r).length, k -> new ArrayList<>()).add(r);
        }
        List<Group> groups = new ArrayList<>();
        float[][] logits = new float[prompts.size()][];
        try {
            for (List<Integer> rows : rowsByLength.values()) {
                Group g = new Group(rows.stream().mapToInt(Integer::intValue).toArray());
                groups.add(g);
                int[][] ids = new int[rows.size()][];
                for (int i = 0; i < ids.length; i++) ids[i] = prompts.get(rows.get(i));
                g.forward(ids, logits);
            }
        } catch (RuntimeException e) {
            groups.forEach(Group::close);
            throw e;
        }
        return new GptBatch(groups, logits);
    }

    /** Rows that share a cache length. */
    private final class Group implements AutoCloseable {
        final int[] rows;
        final KvCache cache = gpt.newCache();

        Group(int[] rows) {
            this.rows = rows;
        }

        /** Runs the new positions and writes each row's last-position logits into {@code out}. */
        void forward(int[][] ids, float[][] out) {
            // every array a step allocates lands in this manager (the cache keeps its own copies)
            try (NDManager step = NDManager.newBaseManager("PyTorch")) {
                NDArray logits = gpt.forward(Gpt.ids(step, ids), cache);
                long t = logits.getShape().get(1);
                NDArray last = logits.get(":, " + (t - 1) + ", :");
                float[] flat = last.toFloatArray();
                int vocab = vocabSize();
                for (int i = 0; i < rows.length; i++) {
                    float[] row = new float[vocab];
                    System.arraycopy(flat, i * vocab, row, 0, vocab);
                    out[rows[i]] = row;
                }
            }
        }

        @Override
        public void close() {
            cache.close();
        }
    }

    private final class GptBatch implements Batch {
        private final List<Group> groups;
        private final float[][] logits;

        GptBatch(List<Group> groups, float[][] logits) {
            this.groups = groups;
            this.logits = logits;
        }

        @Override
        public float[][] nextLogits() {
            return logits;
        }

        @Override
        public void append(int[] tokenPerRow) {
            if (tokenPerRow.length != logits.length) throw new IllegalArgumentException("one token per row");
            for (Group g : groups) {
                int[][] ids = new int[g.rows.length][1];
                for (int i = 0; i < g.rows.length; i++) ids[i][0] = tokenPerRow[g.rows[i]];
                g.forward(ids, logits);
            }
        }

        @Override
        public void close() {
            groups.forEach(Group::close);
        }
    }
}
