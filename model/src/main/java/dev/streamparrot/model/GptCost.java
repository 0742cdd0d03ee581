package dev.streamparrot.model;

/** What a {@link GptConfig} costs: its parameter count and its training FLOPs per token. */
public final class GptCost {
    private GptCost() {
    }

    /**
     * Parameters as {@code model.num_parameters()} counts them in HF: the tied LM head once, wpe included.
     * Computed from the shapes, so the 1.5B preset can be sized without allocating it.
     */
    public static long numParams(GptConfig c) {
        long e = c.nEmbd();
        long perLayer = 2 * e                 // ln_1
                + e * 3 * e + 3 * e           // attn.c_attn
                + e * e + e                   // attn.c_proj
                + 2 * e                       // ln_2
                + e * 4 * e + 4 * e           // mlp.c_fc
                + 4 * e * e + e;              // mlp.c_proj
        return (long) c.vocabSize() * e + (long) c.nPositions() * e + c.nLayer() * perLayer + 2 * e;
    }

    /**
     * Training FLOPs per token, the usual 6·N (N = weights that take part in a matmul: the blocks and
     * the tied head; not wpe, a lookup) plus attention's two T×T products, 12·n_layer·n_embd·T.
     */
    public static double trainFlopsPerToken(GptConfig c, int seqLen) {
        double matmulParams = 12.0 * c.nLayer() * c.nEmbd() * (double) c.nEmbd() + (double) c.vocabSize() * c.nEmbd();
        return 6.0 * matmulParams + 12.0 * c.nLayer() * c.nEmbd() * (double) seqLen;
    }
}
