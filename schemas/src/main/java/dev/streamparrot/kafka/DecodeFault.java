package dev.streamparrot.kafka;

import dev.streamparrot.registry.SchemaRegistryException;
import dev.streamparrot.registry.WireFormatException;

/**
 * Whose fault a decode failure is: the one place that decides it, for plain consumers and stream stages.
 * A poison record is dead-lettered; an outage pauses the reader until the cause clears, since
 * dead-lettering for it would empty the topic into the dead letters (after a registry restart lost its
 * state, the trainer once dead-lettered the whole corpus in two minutes).
 */
public enum DecodeFault {
    /** The record itself is broken (not the wire format, too short): dead-letter it. */
    POISON,
    /** The registry is unreachable, timing out or answering 5xx: never the record's fault. */
    OUTAGE,
    /**
     * An unknown schema id (4xx), a writer schema of another record type, bytes Avro cannot read: poison
     * when the record is alone in failing, an outage (a registry that lost or changed its data) when its
     * neighbours fail too. {@link OutageGuard} decides.
     */
    AMBIGUOUS;

    public static DecodeFault of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SchemaRegistryException e) {
                return e.status() == 0 || e.status() >= 500 ? OUTAGE : AMBIGUOUS;
            }
        }
        return failure instanceof WireFormatException ? POISON : AMBIGUOUS;
    }
}
