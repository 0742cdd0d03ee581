package dev.streamparrot.kafka;

import java.time.Duration;

/**
 * A record could not be decoded for a reason that is not its own (see {@link DecodeFault#OUTAGE}). The
 * reader must not go past it: it seeks back to {@link #offset()}, commits nothing beyond, waits
 * {@link #retryAfter()} and reads it again. Its breaker is open meanwhile.
 */
public final class SchemaOutageException extends RuntimeException {
    private final String topic;
    private final int partition;
    private final long offset;
    private final Duration retryAfter;

    public SchemaOutageException(String topic, int partition, long offset, Duration retryAfter, Throwable cause) {
        super("not decoding " + topic + "-" + partition + "@" + offset + " until the outage clears: "
                + DeadLetters.describe(cause), cause);
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.retryAfter = retryAfter;
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    public long offset() {
        return offset;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    /** Waits before the next try; an interrupt (the reader is closing) ends the wait early. */
    public void awaitRetry() {
        try {
            Thread.sleep(retryAfter.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The outage behind a failure, if it (or one of its causes or suppressed exceptions) is one. */
    public static java.util.Optional<SchemaOutageException> in(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SchemaOutageException outage) return java.util.Optional.of(outage);
            for (Throwable s : t.getSuppressed()) {
                if (s instanceof SchemaOutageException outage) return java.util.Optional.of(outage);
            }
        }
        return java.util.Optional.empty();
    }
}
