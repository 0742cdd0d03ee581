package dev.streamparrot.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingTest {

    @Test
    void weightDecayGroupsAreTheBooks() {
        assertTrue(AdamW.decays("transformer.wte.weight"));
        assertTrue(AdamW.decays("transformer.wpe.weight"));
        assertTrue(AdamW.decays("transformer.h.3.attn.c_attn.weight"));
        assertFalse(AdamW.decays("transformer.h.3.attn.c_attn.bias"));
        assertFalse(AdamW.decays("transformer.h.3.ln_1.weight"));
        assertFalse(AdamW.decays("transformer.h.3.ln_2.weight"));
        assertFalse(AdamW.decays("transformer.ln_f.weight"));
    }

    /** Two AdamW steps on loss = Σ c·p, checked against the update computed by hand in doubles. */
    @Test
    void adamWUpdateMatchesHandComputation() {
        float[] w0 = {0.5f, -1.5f}, b0 = {0.25f, 2f}, ln0 = {1f, 0.75f};
        float[] cw = {0.3f, -2f}, cb = {1.5f, -0.1f}, cln = {-0.7f, 0.05f};
        double lr = 0.01, wd = 0.1;
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Map<String, NDArray> params = new LinkedHashMap<>();
            params.put("x.c_fc.weight", m.create(w0).duplicate());
            params.put("x.c_fc.bias", m.create(b0).duplicate());
            params.put("x.ln_1.weight", m.create(ln0).duplicate());
            params.values().forEach(p -> p.setRequiresGradient(true));
            Map<String, float[]> coef = Map.of("x.c_fc.weight", cw, "x.c_fc.bias", cb, "x.ln_1.weight", cln);
            try (AdamW opt = new AdamW(params, new AdamW.Settings(0.9, 0.999, 1e-8, wd))) {
                for (int step = 0; step < 2; step++) {
                    try (NDManager s = m.newSubManager(); GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                        NDArray loss = null;
                        for (Map.Entry<String, NDArray> e : params.entrySet()) {
                            NDArray term = e.getValue().mul(s.create(coef.get(e.getKey())).duplicate()).sum();
                            loss = loss == null ? term : loss.add(term);
                        }
                        gc.backward(loss);
                    }
                    opt.update(lr);
                }
                // by hand: the gradient is c both steps; m1 = 0.1c, v1 = 0.001c², m2 = 0.19c, v2 = 0.001999c²
                for (String name : params.keySet()) {
                    float[] p0 = name.contains("weight") && name.contains("c_fc") ? w0 : name.contains("bias") ? b0 : ln0;
                    float[] c = coef.get(name);
                    float[] got = params.get(name).toFloatArray();
                    boolean decay = name.equals("x.c_fc.weight");
                    for (int i = 0; i < 2; i++) {
                        double p = p0[i];
                        for (int t = 1; t <= 2; t++) {
                            double mt = (1 - Math.pow(0.9, t)) * c[i], vt = (1 - Math.pow(0.999, t)) * c[i] * c[i];
                            if (decay) {
                                p *= 1 - lr * wd;
                            }
                            double mhat = mt / (1 - Math.pow(0.9, t)), vhat = vt / (1 - Math.pow(0.999, t));
                            p -= lr * mhat / (Math.sqrt(vhat) + 1e-8);
                        }
                        assertEquals(p, got[i], 1e-6, name + "[" + i + "]");
                    }
                    assertEquals(0f, params.get(name).getGradient().abs().sum().getFloat(), name + " gradient zeroed");
                }
                assertEquals(2, opt.step());
            }
        }
    }

    @Test
    void clipsByGlobalNorm() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Map<String, NDArray> params = new LinkedHashMap<>();
            params.put("a.weight", m.create(new float[] {1, 1}).duplicate());
            params.put("b.bias", m.create(new float[] {1}).duplicate());
            params.values().forEach(p -> p.setRequiresGradient(true));
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                // grads (3, 0) and (4): global norm 5
                NDArray loss = params.get("a.weight").mul(m.create(new float[] {3, 0})).sum()
                        .add(params.get("b.bias").mul(m.create(new float[] {4})).sum());
                gc.backward(loss);
            }
            try (AdamW opt = new AdamW(params, AdamW.DEFAULTS)) {
                assertEquals(5.0, opt.clipGradNorm(1.0), 1e-6);
                float[] a = params.get("a.weight").getGradient().toFloatArray();
                assertEquals(0.6, a[0], 1e-6);
                assertEquals(0.8, params.get("b.bias").getGradient().getFloat(), 1e-6);
                assertEquals(1.0, opt.clipGradNorm(1.0), 1e-5); // already within the limit: unchanged
                assertEquals(0.6, params.get("a.weight").getGradient().toFloatArray()[0], 1e-6);
            }
        }
    }

    @Test
    void tinyModelOverfitsOneBatch() {
        GptConfig c = GptConfig.preset("cpu-tiny", 64).withDropout(0);
        List<int[][]> batch = List.<int[][]>of(TestModels.randomTokens(1, 4, 32, 64));
        try (Gpt g = Gpt.create(c, 1); AdamW opt = new AdamW(g.parameters(), AdamW.DEFAULTS)) {
            TrainStep step = new TrainStep(g, opt, LrSchedule.constant(3e-3), 1);
            double first = Double.NaN, last = Double.NaN;
            int steps = 0;
            while (steps < 300 && !(last < 0.5)) {
                last = step.run(batch).loss();
                if (steps++ == 0) {
                    first = last;
                }
            }
            assertEquals(Math.log(64), first, 0.3, "an untrained model is about uniform");
            assertTrue(last < 0.5, "loss after " + steps + " steps: " + last);
        }
    }

    /**
     * Train 5 updates, checkpoint, then 20 more; a fresh model and optimizer loaded from the checkpoint must
     * produce the same 20 losses. Dropout is on (0.1) and gradient accumulation is 2, so this also covers
     * the dropout reseeding and accumulation.
     */
    @Test
    void resumedRunEqualsUninterrupted(@TempDir Path dir) {
        GptConfig c = GptConfig.preset("cpu-tiny", 96).withDropout(0.1);
        LrSchedule sched = LrSchedule.cosine(2e-3, 3, 30);
        List<List<int[][]>> data = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            data.add(List.of(TestModels.randomTokens(100 + 2 * i, 2, 48, 96), TestModels.randomTokens(101 + 2 * i, 2, 48, 96)));
        }
        List<Double> uninterrupted = new ArrayList<>();
        try (Gpt g = Gpt.create(c, 3); AdamW opt = new AdamW(g.parameters(), AdamW.DEFAULTS)) {
            TrainStep step = new TrainStep(g, opt, sched, 77);
            for (int i = 0; i < 5; i++) {
                step.run(data.get(i));
            }
            g.save(dir);
            opt.save(dir.resolve(AdamW.STATE_FILE));
            for (int i = 5; i < 25; i++) {
                uninterrupted.add(step.run(data.get(i)).loss());
            }
        }
        List<Double> resumed = new ArrayList<>();
        try (Gpt g = Gpt.load(dir); AdamW opt = new AdamW(g.parameters(), AdamW.DEFAULTS)) {
            opt.load(dir.resolve(AdamW.STATE_FILE));
            assertEquals(5, opt.step());
            TrainStep step = new TrainStep(g, opt, sched, 77);
            for (int i = 5; i < 25; i++) {
                resumed.add(step.run(data.get(i)).loss());
            }
        }
        assertTrue(uninterrupted.get(19) < uninterrupted.get(0), "training makes progress: " + uninterrupted);
        assertEquals(uninterrupted, resumed);
    }

    /** Two micro-batches of 2 rows make the same update as one batch of 4 rows (no dropout). */
    @Test
    void gradientAccumulationEqualsOneBigBatch() {
        GptConfig c = GptConfig.preset("cpu-tiny", 80).withDropout(0);
        int[][] rows = TestModels.randomTokens(5, 4, 24, 80);
        int[][] first = {rows[0], rows[1]}, second = {rows[2], rows[3]};
        try (Gpt a = Gpt.create(c, 2); AdamW oa = new AdamW(a.parameters(), AdamW.DEFAULTS);
             Gpt b = Gpt.create(c, 2); AdamW ob = new AdamW(b.parameters(), AdamW.DEFAULTS)) {
            TrainStep.Result ra = new TrainStep(a, oa, LrSchedule.constant(1e-3), 0.5, 1).run(List.of(first, second));
            TrainStep.Result rb = new TrainStep(b, ob, LrSchedule.constant(1e-3), 0.5, 1).run(List.<int[][]>of(rows));
            assertEquals(rb.loss(), ra.loss(), 1e-6);
            assertEquals(rb.gradNorm(), ra.gradNorm(), 1e-5); // catches a wrong 1/accumulation scaling
            // Adam's first step is lr·g/(|g|+eps): float noise in gradients near eps moves a weight by up to ~lr·1%
            for (String n : a.parameters().keySet()) {
                float[] x = a.parameters().get(n).toFloatArray(), y = b.parameters().get(n).toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    assertEquals(y[i], x[i], 2e-5, n);
                }
            }
        }
    }

    /** Guards against the DJL scalar pitfall: a GC between forward and backward must not change gradients. */
    @Test
    void gcBetweenForwardAndBackwardChangesNothing() {
        GptConfig c = GptConfig.preset("cpu-tiny", 80).withDropout(0);
        int[][] rows = TestModels.randomTokens(6, 2, 24, 80);
        try (Gpt g = Gpt.create(c, 4)) {
            List<float[]> clean = gradients(g, rows, false);
            List<float[]> withGc = gradients(g, rows, true);
            for (int i = 0; i < clean.size(); i++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(clean.get(i), withGc.get(i));
            }
        }
    }

    private static List<float[]> gradients(Gpt g, int[][] rows, boolean gc) {
        try (NDManager s = NDManager.newBaseManager("PyTorch");
             GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray loss = g.loss(Gpt.ids(s, rows), true);
            if (gc) {
                for (int i = 0; i < 3; i++) {
                    System.gc();
                    java.nio.ByteBuffer[] junk = new java.nio.ByteBuffer[256]; // reuse freed direct memory
                    for (int j = 0; j < junk.length; j++) {
                        junk[j] = java.nio.ByteBuffer.allocateDirect(64).putFloat(0, 1e30f);
                    }
                }
            }
            collector.backward(loss);
        }
        List<float[]> out = new ArrayList<>();
        for (NDArray p : g.parameters().values()) {
            try (NDArray grad = p.getGradient()) {
                out.add(grad.toFloatArray());
            }
            ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) p);
        }
        return out;
    }
}
