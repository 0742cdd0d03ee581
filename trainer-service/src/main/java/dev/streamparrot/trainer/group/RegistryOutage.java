package dev.streamparrot.trainer.group;

import dev.streamparrot.kafka.Breakers;
import dev.streamparrot.kafka.DecodeFault;
import dev.streamparrot.kafka.SchemaOutageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * How a trainer group lives through a schema-registry outage: an outage is not poison, so a call that needs the
 * registry (encoding a contribution, a round, a dead letter or an announcement; decoding a fragment with a new
 * schema id) is tried again, from the same state, until the registry answers. Meanwhile the member's breaker is
 * open, so its {@code /health} is DOWN with the reason ({@link Breakers}), and it neither dead-letters nor drops
 * anything: the round it was in carries on once the registry is back.
 *
 * <p>The member's thread waits here without polling its consumer; its heartbeats go on, so an outage shorter
 * than {@code max.poll.interval.ms} (5 min by default) keeps it in the group. A longer one makes it rejoin,
 * which the round protocol already survives (a rebalance).
 */
final class RegistryOutage {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryOutage.class);

    private RegistryOutage() {}

    /** The breaker of a group's members in this process (one name: every registry call of the group shares the cause). */
    static String breaker(String groupId) {
        return Coordinator.SERVICE + " trainer group " + groupId;
    }

    /** The call's result, tried again while it fails for an outage; any other failure is thrown at once. */
    static <T> T waitOut(String groupId, Supplier<T> call) {
        String breaker = breaker(groupId);
        while (true) {
            try {
                T result = call.get();
                if (Breakers.isOpen(breaker)) {
                    Breakers.close(breaker);
                    LOG.info("trainer group {}: the schema registry answers again; carrying on", groupId);
                }
                return result;
            } catch (RuntimeException e) {
                if (!isOutage(e)) throw e;
                boolean first = !Breakers.isOpen(breaker);
                Duration retryAfter = Breakers.trip(breaker, "schema registry outage: " + e.getMessage(), null);
                if (first) LOG.warn("trainer group {}: paused by a schema-registry outage, trying again: {}", groupId, e.toString());
                try {
                    Thread.sleep(retryAfter.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting out a schema-registry outage", e);
                }
            }
        }
    }

    static boolean isOutage(Throwable e) {
        return DecodeFault.of(e) == DecodeFault.OUTAGE || SchemaOutageException.in(e).isPresent();
    }
}
