package dev.streamparrot.model;

import java.util.Map;

/**
 * GPT-2 forward pass in plain Java doubles, written straight from HF's modeling_gpt2.py, to check
 * {@link Gpt} against something that shares none of its code.
 */
final class ReferenceGpt {
    private ReferenceGpt() {}

    /** Logits [T][V] for one sequence. */
    static double[][] logits(GptConfig c, Map<String, float[]> w, int[] ids) {
        int t = ids.length, e = c.nEmbd(), v = c.vocabSize();
        float[] wte = w.get("transformer.wte.weight"), wpe = w.get("transformer.wpe.weight");
        double[][] x = new double[t][e];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < e; j++) {
                x[i][j] = wte[ids[i] * e + j] + wpe[i * e + j];
            }
        }
        for (int l = 0; l < c.nLayer(); l++) {
            String h = "transformer.h." + l + ".";
            double[][] a = attention(c, w, h, layerNorm(c, x, w.get(h + "ln_1.weight"), w.get(h + "ln_1.bias")));
            add(x, a);
            double[][] f = conv1d(layerNorm(c, x, w.get(h + "ln_2.weight"), w.get(h + "ln_2.bias")),
                    w.get(h + "mlp.c_fc.weight"), w.get(h + "mlp.c_fc.bias"), 4 * e);
            for (double[] row : f) {
                for (int j = 0; j < row.length; j++) {
                    double z = row[j];
                    row[j] = 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z)));
                }
            }
            add(x, conv1d(f, w.get(h + "mlp.c_proj.weight"), w.get(h + "mlp.c_proj.bias"), e));
        }
        x = layerNorm(c, x, w.get("transformer.ln_f.weight"), w.get("transformer.ln_f.bias"));
        double[][] out = new double[t][v];
        for (int i = 0; i < t; i++) {
            for (int k = 0; k < v; k++) {
                double s = 0;
                for (int j = 0; j < e; j++) {
                    s += x[i][j] * wte[k * e + j];
                }
                out[i][k] = s;
            }
        }
        return out;
    }

    private static double[][] attention(GptConfig c, Map<String, float[]> w, String h, double[][] x) {
        int t = x.length, e = c.nEmbd(), nh = c.nHead(), d = c.headDim();
        double[][] qkv = conv1d(x, w.get(h + "attn.c_attn.weight"), w.get(h + "attn.c_attn.bias"), 3 * e);
        double[][] y = new double[t][e];
        for (int head = 0; head < nh; head++) {
            int q0 = head * d, k0 = e + head * d, v0 = 2 * e + head * d;
            for (int i = 0; i < t; i++) {
                double[] s = new double[i + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    double dot = 0;
                    for (int k = 0; k < d; k++) {
                        dot += qkv[i][q0 + k] * qkv[j][k0 + k];
                    }
                    s[j] = dot / Math.sqrt(d);
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j <= i; j++) {
                    s[j] = Math.exp(s[j] - max);
                    sum += s[j];
                }
                for (int j = 0; j <= i; j++) {
                    for (int k = 0; k < d; k++) {
                        y[i][head * d + k] += s[j] / sum * qkv[j][v0 + k];
                    }
                }
            }
        }
        return conv1d(y, w.get(h + "attn.c_proj.weight"), w.get(h + "attn.c_proj.bias"), e);
    }

    /** HF Conv1D: x @ W + b, W stored [in][out]. */
    private static double[][] conv1d(double[][] x, float[] wt, float[] b, int out) {
        int in = x[0].length;
        double[][] y = new double[x.length][out];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < out; o++) {
                double s = b[o];
                for (int k = 0; k < in; k++) {
                    s += x[i][k] * wt[k * out + o];
                }
                y[i][o] = s;
            }
        }
        return y;
    }

    private static double[][] layerNorm(GptConfig c, double[][] x, float[] g, float[] b) {
        double[][] y = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            int n = x[i].length;
            double mean = 0, var = 0;
            for (double z : x[i]) {
                mean += z / n;
            }
            for (double z : x[i]) {
                var += (z - mean) * (z - mean) / n;
            }
            y[i] = new double[n];
            for (int j = 0; j < n; j++) {
                y[i][j] = (x[i][j] - mean) / Math.sqrt(var + c.layerNormEpsilon()) * g[j] + b[j];
            }
        }
        return y;
    }

    private static void add(double[][] x, double[][] y) {
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[i].length; j++) {
                x[i][j] += y[i][j];
            }
        }
    }
}
