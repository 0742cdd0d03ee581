package dev.streamparrot.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GptTest {

    @Test
    void logitsMatchPlainJavaReference() {
        TestModels.RandomCase rc = TestModels.randomCase(7, 3, 2, 11);
        GptConfig c = rc.config();
        int[][] ids = rc.ids();
        try (Gpt g = rc.model(); NDManager m = NDManager.newBaseManager("PyTorch")) {
            float[] logits = g.forward(Gpt.ids(m, ids), false).toFloatArray();
            int v = c.vocabSize(), t = ids[0].length;
            double maxDiff = 0;
            for (int b = 0; b < ids.length; b++) {
                double[][] ref = rc.referenceLogits(b);
                for (int i = 0; i < t; i++) {
                    for (int j = 0; j < v; j++) {
                        maxDiff = Math.max(maxDiff, Math.abs(ref[i][j] - logits[(b * t + i) * v + j]));
                    }
                }
            }
            assertTrue(maxDiff < 1e-4, "max |logit - reference| = " + maxDiff);
        }
    }

    @Test
    void lossIsMeanNextTokenCrossEntropy() {
        TestModels.RandomCase rc = TestModels.randomCase(8, 4, 2, 9);
        int[][] ids = rc.ids();
        try (Gpt g = rc.model(); NDManager m = NDManager.newBaseManager("PyTorch")) {
            double expected = 0;
            for (int b = 0; b < ids.length; b++) {
                int[] row = ids[b];
                double[][] ref = rc.referenceLogits(b);
                for (int i = 0; i + 1 < row.length; i++) {
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (double z : ref[i]) {
                        max = Math.max(max, z);
                    }
                    for (double z : ref[i]) {
                        sum += Math.exp(z - max);
                    }
                    expected += max + Math.log(sum) - ref[i][row[i + 1]];
                }
            }
            expected /= ids.length * (ids[0].length - 1);
            assertEquals(expected, g.loss(Gpt.ids(m, ids), false).getFloat(), 1e-4);
        }
    }

    @Test
    void kvCacheAgreesWithFullForward() {
        GptConfig c = TestModels.tiny();
        int[][] ids = TestModels.randomTokens(5, 2, 14, c.vocabSize());
        try (Gpt g = TestModels.model(c, TestModels.randomState(c, 9)); NDManager m = NDManager.newBaseManager("PyTorch");
             KvCache cache = g.newCache()) {
            NDArray all = Gpt.ids(m, ids);
            float[] full = g.forward(all, false).toFloatArray();
            // the prompt in one go, then one position at a time, each in a manager closed right after
            List<NDArray> parts = new java.util.ArrayList<>();
            parts.add(g.forward(all.get(":, 0:5"), cache));
            for (int t = 5; t < 14; t++) {
                try (NDManager step = m.newSubManager()) {
                    NDArray one = all.get(":, " + t + ":" + (t + 1)).duplicate();
                    one.attach(step);
                    NDArray out = g.forward(one, cache).duplicate();
                    out.attach(m);
                    parts.add(out);
                }
                assertEquals(t + 1, cache.length());
            }
            float[] incremental = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(parts), 1).toFloatArray();
            assertEquals(full.length, incremental.length);
            double maxDiff = 0;
            for (int i = 0; i < full.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(full[i] - incremental[i]));
            }
            assertTrue(maxDiff < 1e-4, "max |full - incremental| = " + maxDiff);
            assertThrows(IllegalArgumentException.class, () -> g.forward(Gpt.ids(m, new int[2][3]), cache)); // 17 > 16
        }
    }

    @Test
    void sameSeedSameInitHfStatistics() {
        GptConfig c = GptConfig.preset("cpu-tiny", 300);
        try (Gpt a = Gpt.create(c, 42); Gpt b = Gpt.create(c, 42); Gpt d = Gpt.create(c, 43)) {
            for (String n : a.parameters().keySet()) {
                assertTrue(a.parameters().get(n).contentEquals(b.parameters().get(n)), n);
            }
            assertTrue(!a.parameters().get("transformer.wte.weight").contentEquals(d.parameters().get("transformer.wte.weight")));
            assertEquals(0.02, std(a.parameters().get("transformer.h.0.mlp.c_fc.weight")), 0.002);
            assertEquals(0.02 / Math.sqrt(4), std(a.parameters().get("transformer.h.1.mlp.c_proj.weight")), 0.001);
            assertEquals(0.02, std(a.parameters().get("transformer.wpe.weight")), 0.002);
            assertEquals(0.0, std(a.parameters().get("transformer.h.0.attn.c_attn.bias")));
            assertArrayEquals(new float[] {1, 1, 1}, java.util.Arrays.copyOf(a.parameters().get("transformer.ln_f.weight").toFloatArray(), 3));
        }
    }

    private static double std(NDArray a) {
        double s = 0;
        for (float f : a.toFloatArray()) {
            s += (double) f * f;
        }
        return Math.sqrt(s / a.size());
    }

    @Test
    void saveLoadIsBitIdentical(@TempDir Path dir) throws Exception {
        GptConfig c = GptConfig.preset("cpu-tiny", 300);
        try (Gpt a = Gpt.create(c, 5)) {
            a.save(dir);
            assertTrue(Files.exists(dir.resolve("config.json")) && Files.exists(dir.resolve("generation_config.json")));
            try (Gpt b = Gpt.load(dir)) {
                assertEquals(c, b.config());
                assertEquals(List.copyOf(a.parameters().keySet()), List.copyOf(b.parameters().keySet()));
                for (String n : a.parameters().keySet()) {
                    assertArrayEquals(a.parameters().get(n).toByteBuffer().array(), b.parameters().get(n).toByteBuffer().array(), n);
                }
            }
            try (NDManager m = NDManager.newBaseManager("PyTorch")) {
                SafeTensors.Contents file = SafeTensors.read(dir.resolve(Gpt.WEIGHTS_FILE), m);
                assertEquals(Map.of("format", "pt"), file.metadata());
                assertEquals(List.of(300L, 128L), java.util.Arrays.stream(file.tensors().get("transformer.wte.weight").getShape().getShape()).boxed().toList());
                assertEquals(List.of(128L, 384L), java.util.Arrays.stream(file.tensors().get("transformer.h.1.attn.c_attn.weight").getShape().getShape()).boxed().toList());
            }
        }
    }

    @Test
    void loadsHfStyleCheckpoints(@TempDir Path dir) {
        GptConfig c = TestModels.tiny();
        Map<String, float[]> state = TestModels.randomState(c, 11);
        try (Gpt a = TestModels.model(c, state); NDManager m = NDManager.newBaseManager("PyTorch")) {
            // GPT2Model names (no "transformer."), an explicit lm_head equal to wte, the old mask buffers
            Map<String, NDArray> hf = new LinkedHashMap<>();
            a.parameters().forEach((n, p) -> hf.put(n.substring("transformer.".length()), p));
            hf.put("lm_head.weight", a.parameters().get("transformer.wte.weight"));
            hf.put("h.0.attn.bias", m.ones(new ai.djl.ndarray.types.Shape(1, 1, 16, 16)));
            c.save(dir);
            SafeTensors.write(dir.resolve(Gpt.WEIGHTS_FILE), hf, Map.of("format", "pt"));
            try (Gpt b = Gpt.load(dir)) {
                for (String n : a.parameters().keySet()) {
                    assertTrue(a.parameters().get(n).contentEquals(b.parameters().get(n)), n);
                }
            }
            // an untied head is refused rather than silently dropped
            hf.put("lm_head.weight", a.parameters().get("transformer.wte.weight").duplicate());
            hf.get("lm_head.weight").set(new float[c.vocabSize() * c.nEmbd()]);
            SafeTensors.write(dir.resolve(Gpt.WEIGHTS_FILE), hf, Map.of("format", "pt"));
            assertThrows(IllegalArgumentException.class, () -> Gpt.load(dir));
        }
    }

    @Test
    void halfPrecisionFilesAreWidened() {
        assertEquals(1.0f, SafeTensors.halfToFloat((short) 0x3c00));
        assertEquals(-2.0f, SafeTensors.halfToFloat((short) 0xc000));
        assertEquals(65504f, SafeTensors.halfToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, SafeTensors.halfToFloat((short) 0x0001));
    }
}
