package dev.streamparrot.trainer.group;

import java.util.List;

/**
 * DiLoCo's outer optimizer: SGD with Nesterov momentum (as torch.optim.SGD(nesterov=True)) on the token-weighted
 * average pseudo-gradient Δ = Σ wᵢ (G − Lᵢ), wᵢ = tokensᵢ / Σ tokens:
 * <pre>  m ← μ·m + Δ;   G ← G − lr·(Δ + μ·m)</pre>
 * Everything is computed in double per value and rounded once to float. Members send their local parameters Lᵢ,
 * not a float32 Δ: G − Lᵢ of two floats is exact in double but not in float, so with one member, lr 1 and μ 0 the
 * new G is exactly L (the group equals the single trainer bit for bit), and no rounding is added by the exchange.
 */
public final class OuterStep {
    /** One member's local parameters after its inner steps, and how many tokens it trained on. */
    public record Local(float[] params, long tokens) {}

    private final double lr, momentum;

    public OuterStep(double lr, double momentum) {
        this.lr = lr;
        this.momentum = momentum;
    }

    /**
     * The next global parameters; {@code buffer} (the momentum, same length, zeros at first) is updated in place.
     * Locals with no tokens weigh nothing; at least one must have tokens.
     */
    public float[] apply(float[] global, float[] buffer, List<Local> locals) {
        long total = locals.stream().mapToLong(Local::tokens).sum();
        if (total <= 0) throw new IllegalArgumentException("no tokens trained this round");
        List<Local> weighted = locals.stream().filter(l -> l.tokens() > 0).toList();
        double[] w = weighted.stream().mapToDouble(l -> (double) l.tokens() / total).toArray();
        float[] next = new float[global.length];
        for (int i = 0; i < global.length; i++) {
            double g = global[i], delta = 0;
            for (int k = 0; k < w.length; k++) delta += w[k] * (g - weighted.get(k).params()[i]);
            double m = momentum * buffer[i] + delta;
            buffer[i] = (float) m;
            next[i] = (float) (g - lr * (delta + momentum * m));
        }
        return next;
    }
}
