package dev.streamparrot.model.generate;

/** Polled between decoding steps: a client that went away stops its generation. */
@FunctionalInterface
public interface Cancellation {

    Cancellation NEVER = () -> false;

    boolean isCancelled();
}
