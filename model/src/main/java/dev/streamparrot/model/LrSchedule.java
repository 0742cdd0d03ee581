package dev.streamparrot.model;

/**
 * Learning rate per optimizer update. The HF kinds as {@code get_scheduler} defines them: a linear warmup
 * from 0 to {@code peakLr} over {@code warmupSteps}, then constant, linear decay to 0, or half a cosine down
 * to 0 at {@code totalSteps}. And warmup-stable-decay (WSD) for open-ended training: warmup, then {@code peakLr}
 * until the last {@code decaySteps} updates before {@code totalSteps}, which decay linearly towards 0.
 *
 * <p>An endless WSD run ({@code totalSteps} = {@link #ENDLESS}) never decays; a checkpoint is taken from a
 * short branch whose schedule is {@link #decayBranch}: the same schedule with its end put right after the
 * branch's updates (Hägele et al. 2024, "Scaling Laws and Compute-Optimal Training Beyond Fixed Training
 * Durations": a short cooldown from any point of the stable phase matches a cosine run of that length).
 *
 * <p>{@code lr(n)} is the rate for update number n (0-based), i.e. after n calls of the scheduler's
 * {@code step()} in a PyTorch loop; with warmup the very first update therefore uses lr 0, as in HF.
 */
public record LrSchedule(Kind kind, double peakLr, long warmupSteps, long totalSteps, long decaySteps) {
    /** totalSteps of a run without an end (WSD only). */
    public static final long ENDLESS = Long.MAX_VALUE;

    public enum Kind {
        /** get_constant_schedule_with_warmup (plain constant when warmupSteps is 0). */
        CONSTANT,
        /** get_linear_schedule_with_warmup. */
        LINEAR,
        /** get_cosine_schedule_with_warmup with num_cycles 0.5. */
        COSINE,
        /** Warmup, stable at the peak, linear decay over the last decaySteps. */
        WSD
    }

    public LrSchedule {
        if (peakLr < 0 || warmupSteps < 0 || totalSteps < 0 || decaySteps < 0) {
            throw new IllegalArgumentException("negative schedule parameter");
        }
        if (totalSteps == ENDLESS && kind != Kind.WSD && kind != Kind.CONSTANT) {
            throw new IllegalArgumentException(kind + " needs a number of steps; only wsd and constant run endlessly");
        }
    }

    /** The HF kinds, which have no decay branch. */
    public LrSchedule(Kind kind, double peakLr, long warmupSteps, long totalSteps) {
        this(kind, peakLr, warmupSteps, totalSteps, 0);
    }

    public static LrSchedule constant(double lr) {
        return new LrSchedule(Kind.CONSTANT, lr, 0, 0);
    }

    /** The book's schedule: cosine with warmup (codeparrot-small: lr 5e-4, 2000 warmup, 150000 steps). */
    public static LrSchedule cosine(double peakLr, long warmupSteps, long totalSteps) {
        return new LrSchedule(Kind.COSINE, peakLr, warmupSteps, totalSteps);
    }

    public static LrSchedule linear(double peakLr, long warmupSteps, long totalSteps) {
        return new LrSchedule(Kind.LINEAR, peakLr, warmupSteps, totalSteps);
    }

    /** Warmup-stable-decay; totalSteps {@link #ENDLESS} for a run that only decays in its branches. */
    public static LrSchedule wsd(double peakLr, long warmupSteps, long totalSteps, long decaySteps) {
        return new LrSchedule(Kind.WSD, peakLr, warmupSteps, totalSteps, decaySteps);
    }

    /** Parses "cosine", "linear" or "constant" (HF's names; "constant_with_warmup" is accepted too). */
    public static LrSchedule of(String kind, double peakLr, long warmupSteps, long totalSteps) {
        return of(kind, peakLr, warmupSteps, totalSteps, 0);
    }

    /** Parses "cosine", "linear", "constant" (or "constant_with_warmup") and "wsd". */
    public static LrSchedule of(String kind, double peakLr, long warmupSteps, long totalSteps, long decaySteps) {
        Kind k = switch (kind) {
            case "cosine" -> Kind.COSINE;
            case "linear" -> Kind.LINEAR;
            case "constant", "constant_with_warmup" -> Kind.CONSTANT;
            case "wsd" -> Kind.WSD;
            default -> throw new IllegalArgumentException("unknown schedule " + kind + " (cosine, linear, constant, wsd)");
        };
        return new LrSchedule(k, peakLr, warmupSteps, totalSteps, k == Kind.WSD ? decaySteps : 0);
    }

    /**
     * The schedule of a decay branch taken after {@code fromStep} updates: equal to this one before, then its
     * decaySteps updates {@code fromStep .. fromStep + decaySteps - 1} decay linearly towards 0.
     */
    public LrSchedule decayBranch(long fromStep) {
        if (kind != Kind.WSD) throw new IllegalStateException("only a wsd schedule has decay branches, not " + kind);
        return wsd(peakLr, warmupSteps, fromStep + decaySteps, decaySteps);
    }

    public double lr(long step) {
        return peakLr * factor(step);
    }

    private double factor(long step) {
        if (step < warmupSteps) {
            return (double) step / Math.max(1, warmupSteps);
        }
        double decaySpan = Math.max(1, totalSteps - warmupSteps);
        return switch (kind) {
            case CONSTANT -> 1.0;
            case LINEAR -> Math.max(0.0, (totalSteps - step) / decaySpan);
            case COSINE -> Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 2.0 * 0.5 * ((step - warmupSteps) / decaySpan))));
            // every decay update is below the peak: (decaySteps .. 1) / (decaySteps + 1), then 0 from totalSteps on
            case WSD -> step < totalSteps - decaySteps ? 1.0 : Math.max(0.0, (double) (totalSteps - step) / (decaySteps + 1));
        };
    }
}
