package dev.streamparrot.trainer.group;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.streamparrot.model.Gpt;
import dev.streamparrot.model.GptConfig;

/**
 * A model's parameters as one flat float32 vector in HF state_dict order: what members and the coordinator
 * exchange. Values are copied, never aliased (DEVELOPERS: {@code create}/{@code set(Buffer)} alias Java memory).
 */
public final class ParamVector {
    private ParamVector() {}

    public static float[] read(Gpt model) {
        long n = size(model);
        float[] out = new float[Math.toIntExact(n)];
        int at = 0;
        for (NDArray p : model.parameters().values()) {
            float[] v = p.toFloatArray();
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }

    /** Overwrites every parameter in place (optimizer state stays attached to the same arrays). */
    public static void write(Gpt model, float[] values) {
        if (values.length != size(model)) {
            throw new IllegalArgumentException(values.length + " values for a model of " + size(model) + " parameters");
        }
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager tmp = NDManager.newBaseManager("PyTorch")) {
            NDArray zero = tmp.zeros(new Shape(1));
            int at = 0;
            for (NDArray p : model.parameters().values()) {
                int n = Math.toIntExact(p.size());
                float[] slice = new float[n];
                System.arraycopy(values, at, slice, 0, n);
                at += n;
                NDArray src = tmp.create(slice, p.getShape()).duplicate(); // libtorch-owned copy of the Java array
                // p·0 is ±0 for finite p and ±0 + x is exactly x (signed zeros included): an in-place copy that keeps
                // p's identity, so the optimizer's state stays attached. A non-finite p would stay NaN: members never
                // keep such parameters (GroupMember refuses to go on with them).
                p.muli(zero).addi(src);
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    public static long size(Gpt model) {
        return model.parameters().values().stream().mapToLong(NDArray::size).sum();
    }

    /**
     * What must agree for two members' vectors to be averaged: the tokenizer and the model's shape.
     * Spelled {@code tokenizer|vocab|positions|embd|layers|heads|values}.
     */
    public static String fingerprint(String tokenizerId, GptConfig c, long values) {
        return tokenizerId + "|" + c.vocabSize() + "|" + c.nPositions() + "|" + c.nEmbd() + "|" + c.nLayer() + "|" + c.nHead() + "|" + values;
    }

    /** The tokenizer id of a fingerprint. */
    public static String tokenizerOf(String fingerprint) {
        return fingerprint.substring(0, fingerprint.indexOf('|'));
    }
}
