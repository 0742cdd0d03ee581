package dev.streamparrot.model.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.streamparrot.model.Gpt;
import dev.streamparrot.model.KvCache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The project's {@link Gpt} behind the generation loop's {@link LanguageModel}, batching every open
 * {@link Batch} into one forward pass per step.
 *
 * <p>All batches' rows live in one padded {@link KvCache}. {@link Batch#append} only records the tokens;
 * the first {@link Batch#nextLogits} after that runs one position of every row of every open batch, so a
 * scheduler that steps its requests one after the other (the inference service's DecodeLoop) pays one forward pass
 * per step whatever the number of requests. A new batch's prompts run in a pass of their own (left-padded
 * to a common length), then its rows join the shared cache; a closed batch's rows leave it. A batch that
 * has not appended when the others step sits that step out as a padded slot.
 *
 * <p>Thread-safe: batches used from several threads take turns on the model.
 */
public final class GptLanguageModel implements LanguageModel {
    private final Gpt gpt;
    private final KvCache shared;
    /** Open batches in the order of their rows in {@link #shared}. */
    private final List<GptBatch> open = new ArrayList<>();
    private long forwardPasses;

    public GptLanguageModel(Gpt gpt) {
        this.gpt = gpt;
        this.shared = gpt.newCache();
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

    /** Forward passes run so far (prompts and steps): shows that concurrent batches share passes. */
    public synchronized long forwardPasses() {
        return forwardPasses;
    }

    @Override
    public synchronized Batch start(List<int[]> prompts) {
        int longest = 0;
        for (int r = 0; r < prompts.size(); r++) {
            if (prompts.get(r).length == 0) throw new IllegalArgumentException("empty prompt in row " + r);
            longest = Math.max(longest, prompts.get(r).length);
        }
        int[][] ids = new int[prompts.size()][longest];
        int[] pad = new int[prompts.size()];
        for (int r = 0; r < ids.length; r++) {
            int[] p = prompts.get(r);
            pad[r] = longest - p.length;
            System.arraycopy(p, 0, ids[r], pad[r], p.length); // left padding: every row's last token is last
        }
        try (KvCache own = gpt.newCache()) {
            float[][] logits = forward(ids, own, pad);
            shared.join(own);
            GptBatch batch = new GptBatch(logits);
            open.add(batch);
            return batch;
        }
    }

    /** Runs ids through the model on {@code cache}; returns each row's logits at its last position. */
    private float[][] forward(int[][] ids, KvCache cache, int[] pad) {
        // every array a pass allocates lands in this manager (the cache keeps its own copies)
        try (NDManager step = NDManager.newBaseManager(gpt.device(), "PyTorch")) {
            NDArray logits = gpt.forward(Gpt.ids(step, ids), cache, pad);
            forwardPasses++;
            float[] flat = logits.get(":, -1, :").toFloatArray();
            int vocab = vocabSize();
            float[][] out = new float[ids.length][];
            for (int r = 0; r < out.length; r++) out[r] = Arrays.copyOfRange(flat, r * vocab, (r + 1) * vocab);
            return out;
        }
    }

    /** One position for every open row: the appended token, or a padded slot for a batch that has none. */
    private void stepAll() {
        int rows = shared.rows();
        int[][] ids = new int[rows][1];
        int[] pad = new int[rows];
        int offset = 0;
        for (GptBatch b : open) {
            for (int i = 0; i < b.rows(); i++) {
                if (b.pending == null) pad[offset + i] = 1;
                else ids[offset + i][0] = b.pending[i];
            }
            offset += b.rows();
        }
        float[][] logits = forward(ids, shared, pad);
        offset = 0;
        for (GptBatch b : open) {
            if (b.pending != null) {
                System.arraycopy(logits, offset, b.logits, 0, b.rows());
                b.pending = null;
            }
            offset += b.rows();
        }
    }

    private int offsetOf(GptBatch batch) {
        int offset = 0;
        for (GptBatch b : open) {
            if (b == batch) return offset;
            offset += b.rows();
        }
        throw new IllegalStateException("batch is closed");
    }

    private final class GptBatch implements Batch {
        private final float[][] logits;
        /** Tokens appended but not yet run, or null. */
        private int[] pending;

        GptBatch(float[][] logits) {
            this.logits = logits;
        }

        int rows() {
            return logits.length;
        }

        @Override
        public float[][] nextLogits() {
            synchronized (GptLanguageModel.this) {
                if (pending != null) stepAll();
                return logits;
            }
        }

        @Override
        public void append(int[] tokenPerRow) {
            if (tokenPerRow.length != logits.length) throw new IllegalArgumentException("one token per row");
            synchronized (GptLanguageModel.this) {
                if (pending != null) stepAll(); // two appends in a row: the first one runs now
                int offset = offsetOf(this);
                for (int i = 0; i < rows(); i++) {
                    // checked here so that one batch past the context cannot fail everyone's shared pass
                    if (shared.position(offset + i) >= contextLength()) {
                        throw new IllegalStateException("row " + i + " is at the context length " + contextLength());
                    }
                }
                pending = tokenPerRow.clone();
            }
        }

        @Override
        public void close() {
            synchronized (GptLanguageModel.this) {
                if (!open.contains(this)) return;
                int offset = offsetOf(this);
                shared.removeRows(offset, offset + rows());
                open.remove(this);
            }
        }
    }
}
