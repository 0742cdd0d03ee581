package dev.streamparrot.model;

/**
 * Learning rate per optimizer update, as HF's {@code get_scheduler} defines it: a linear warmup from 0 to
 * {@code peakLr} over {@code warmupSteps}, then constant, linear decay to 0, or half a cosine down to 0 at
 * {@code totalSteps}.
 *
 * <p>{@code lr(n)} is the rate for update number n (0-based), i.e. after n calls of the scheduler's
 * {@code step()} in a PyTorch loop; with warmup the very first update therefore uses lr 0, as in HF.
 */
public record LrSchedule(Kind kind, double peakLr, long warmupSteps, long totalSteps) {

    public enum Kind {
        /** get_constant_schedule_with_warmup (plain constant when warmupSteps is 0). */
        CONSTANT,
        /** get_linear_schedule_with_warmup. */
        LINEAR,
        /** get_cosine_schedule_with_warmup with num_cycles 0.5. */
        COSINE
    }

    public LrSchedule {
        if (peakLr < 0 || warmupSteps < 0 || totalSteps < 0) {
            throw new IllegalArgumentException("negative schedule parameter");
        }
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

    /** Parses "cosine", "linear" or "constant" (HF's names; "constant_with_warmup" is accepted too). */
    public static LrSchedule of(String kind, double peakLr, long warmupSteps, long totalSteps) {
        Kind k = switch (kind) {
            case "cosine" -> Kind.COSINE;
            case "linear" -> Kind.LINEAR;
            case "constant", "constant_with_warmup" -> Kind.CONSTANT;
            default -> throw new IllegalArgumentException("unknown schedule " + kind + " (cosine, linear, constant)");
        };
        return new LrSchedule(k, peakLr, warmupSteps, totalSteps);
    }

    public double lr(long step) {
        return peakLr * factor(step);
    }

    private double factor(long step) {
        if (step < warmupSteps) {
            return (double) step / Math.max(1, warmupSteps);
        }
        double decaySteps = Math.max(1, totalSteps - warmupSteps);
        return switch (kind) {
            case CONSTANT -> 1.0;
            case LINEAR -> Math.max(0.0, (totalSteps - step) / decaySteps);
            case COSINE -> Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 2.0 * 0.5 * ((step - warmupSteps) / decaySteps))));
        };
    }
}
