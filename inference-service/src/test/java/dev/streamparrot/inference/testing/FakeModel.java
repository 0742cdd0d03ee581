package dev.streamparrot.inference.testing;

import dev.streamparrot.model.generate.ByteCodec;
import dev.streamparrot.model.generate.LanguageModel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

/**
 * A deterministic stand-in for the GPT: logits are a function of the row's context. It checks the
 * contract the real model will enforce (no empty prompts, never beyond the context length, one
 * token per row per step) and counts what it was asked to do.
 */
public final class FakeModel implements LanguageModel {
    private final int contextLength;
    /** (context, prompt length) to logits. */
    private final BiFunction<List<Integer>, Integer, float[]> logits;
    public int batches;
    public int maxRows;
    public int steps;

    public FakeModel(int contextLength, BiFunction<List<Integer>, Integer, float[]> logits) {
        this.contextLength = contextLength;
        this.logits = logits;
    }

    /**
     * A model that spells {@code script} after any prompt (a strong logit for the next scripted
     * token), then ends with end-of-text; other tokens keep small pseudo-random logits.
     */
    public static FakeModel spelling(int contextLength, int... script) {
        return new FakeModel(contextLength, (context, promptLength) -> {
            float[] out = noise(context);
            int generated = context.size() - promptLength;
            out[generated < script.length ? script[generated] : ByteCodec.END_OF_TEXT] = 20f;
            return out;
        });
    }

    /** A model whose logits are pseudo-random but fixed per context: sampling varies, greedy does not. */
    public static FakeModel noisy(int contextLength) {
        return new FakeModel(contextLength, (context, promptLength) -> {
            float[] out = noise(context);
            out[ByteCodec.END_OF_TEXT] = -100f; // never end early: tests count tokens
            return out;
        });
    }

    static float[] noise(List<Integer> context) {
        SplittableRandom random = new SplittableRandom(context.hashCode());
        float[] out = new float[ByteCodec.VOCAB];
        for (int i = 0; i < out.length; i++) out[i] = (float) random.nextGaussian();
        return out;
    }

    @Override
    public int contextLength() {
        return contextLength;
    }

    @Override
    public int vocabSize() {
        return ByteCodec.VOCAB;
    }

    @Override
    public Batch start(List<int[]> prompts) {
        batches++;
        maxRows = Math.max(maxRows, prompts.size());
        List<List<Integer>> rows = new ArrayList<>();
        int[] promptLengths = prompts.stream().mapToInt(p -> p.length).toArray();
        for (int[] prompt : prompts) {
            if (prompt.length == 0) throw new IllegalArgumentException("empty prompt");
            List<Integer> row = new ArrayList<>();
            for (int id : prompt) row.add(id);
            rows.add(row);
        }
        check(rows);
        return new Batch() {
            @Override
            public float[][] nextLogits() {
                float[][] out = new float[rows.size()][];
                for (int r = 0; r < rows.size(); r++) out[r] = logits.apply(rows.get(r), promptLengths[r]);
                return out;
            }

            @Override
            public void append(int[] tokenPerRow) {
                if (tokenPerRow.length != rows.size()) throw new IllegalArgumentException("one token per row");
                steps++;
                for (int r = 0; r < rows.size(); r++) rows.get(r).add(tokenPerRow[r]);
                check(rows);
            }

            @Override
            public void close() {
            }
        };
    }

    private void check(List<List<Integer>> rows) {
        for (List<Integer> row : rows) {
            if (row.size() > contextLength) throw new IllegalStateException("beyond the context: " + row.size());
        }
    }
}
