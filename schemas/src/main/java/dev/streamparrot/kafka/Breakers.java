package dev.streamparrot.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The process's circuit breakers: one per reader (e.g. {@code trainer-service reading chunks-train}) that
 * stopped because of an outage rather than a poison record. While one is open the service's health is
 * DOWN with the reason ({@link ClusterProbe} asks here, so no service needs code of its own).
 *
 * <p>A plain consumer closes its breaker when a record decodes again. A Kafka Streams stage cannot tell
 * (its handler hears only of failures), so it opens its breaker with a check that decodes the failing
 * record afresh; {@link #open()} runs the checks and closes the breakers whose cause has cleared.
 */
public final class Breakers {
    private Breakers() {}

    static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    /** @param recovered true once the cause has cleared; null when the reader itself closes the breaker */
    private record Breaker(String reason, Instant since, int trips, BooleanSupplier recovered) {}

    private static final Map<String, Breaker> BREAKERS = new ConcurrentHashMap<>();

    /**
     * Opens (or keeps open) the named breaker.
     *
     * @return how long the reader should wait before it tries again: doubling from 0.5 s to 10 s while the outage lasts
     */
    public static Duration trip(String name, String reason, BooleanSupplier recovered) {
        Breaker now = BREAKERS.compute(name, (n, before) -> before == null
                ? new Breaker(reason, Instant.now(), 1, recovered)
                : new Breaker(reason, before.since(), before.trips() + 1, recovered));
        long millis = FIRST_BACKOFF.toMillis() << Math.min(now.trips() - 1, 10);
        return Duration.ofMillis(Math.min(millis, MAX_BACKOFF.toMillis()));
    }

    /** The reader works again. */
    public static void close(String name) {
        BREAKERS.remove(name);
    }

    public static boolean isOpen(String name) {
        return BREAKERS.containsKey(name);
    }

    /** The open breakers and why, after closing those whose check says the cause has cleared. */
    public static Map<String, String> open() {
        Map<String, String> open = new TreeMap<>();
        BREAKERS.forEach((name, breaker) -> {
            if (breaker.recovered() != null && recoveredSafely(breaker)) {
                BREAKERS.remove(name, breaker);
            } else {
                open.put(name, "paused since " + breaker.since() + " (" + breaker.trips() + " tries): " + breaker.reason());
            }
        });
        return open;
    }

    private static boolean recoveredSafely(Breaker breaker) {
        try {
            return breaker.recovered().getAsBoolean();
        } catch (RuntimeException stillFailing) {
            return false;
        }
    }
}
