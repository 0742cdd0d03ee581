package dev.streamparrot.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Small models with every parameter (biases and LayerNorms included) set to known random values. */
final class TestModels {
    private TestModels() {}

    /** A tiny GPT: 2 layers, 32 wide, 4 heads, 16 positions, vocabulary 61, no dropout. */
    static GptConfig tiny() {
        return GptConfig.of(61, 16, 32, 2, 4).withDropout(0);
    }

    /** HF name → row-major values; weights N(0, 0.2), LayerNorm weights around 1, biases N(0, 0.1). */
    static Map<String, float[]> randomState(GptConfig c, long seed) {
        Random r = new Random(seed);
        Map<String, float[]> s = new LinkedHashMap<>();
        Gpt.shapes(c).forEach((name, shape) -> {
            float[] v = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < v.length; i++) {
                double g = r.nextGaussian();
                v[i] = (float) (name.contains(".ln_") && name.endsWith("weight") ? 1 + 0.1 * g
                        : name.endsWith("bias") ? 0.1 * g : 0.2 * g);
            }
            s.put(name, v);
        });
        return s;
    }

    static Gpt model(GptConfig c, Map<String, float[]> state) {
        NDManager m = NDManager.newBaseManager("PyTorch");
        Map<String, Shape> shapes = Gpt.shapes(c);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        state.forEach((name, v) -> {
            try (NDManager tmp = m.newSubManager()) {
                NDArray a = tmp.create(v, shapes.get(name)).duplicate();
                a.attach(m);
                tensors.put(name, a);
            }
        });
        return Gpt.fromState(c, m, tensors);
    }

    /** A tiny model's random weights and a random batch of ids: what the tests against {@link ReferenceGpt} start from. */
    record RandomCase(GptConfig config, Map<String, float[]> state, int[][] ids) {
        Gpt model() {
            return TestModels.model(config, state);
        }

        /** The reference's logits of row {@code b} of the batch. */
        double[][] referenceLogits(int b) {
            return ReferenceGpt.logits(config, state, ids[b]);
        }
    }

    static RandomCase randomCase(long stateSeed, long tokenSeed, int rows, int len) {
        GptConfig c = tiny();
        return new RandomCase(c, randomState(c, stateSeed), randomTokens(tokenSeed, rows, len, c.vocabSize()));
    }

    static int[][] randomTokens(long seed, int rows, int len, int vocab) {
        Random r = new Random(seed);
        int[][] t = new int[rows][len];
        for (int[] row : t) {
            for (int j = 0; j < len; j++) {
                row[j] = r.nextInt(vocab);
            }
        }
        return t;
    }
}
