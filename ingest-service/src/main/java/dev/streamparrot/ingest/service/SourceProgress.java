package dev.streamparrot.ingest.service;

import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A dedup stage's progress store: how far each upstream partition has got, and the time this stage last sent on.
 * A stage moves on to a time once every one of its sources has passed it.
 *
 * @param store   source partition → the latest time it reported; {@link #SENT} → the time last sent on
 * @param sources how many upstream partitions report
 */
record SourceProgress(KeyValueStore<Integer, Long> store, int sources) {
    /** The key under which the store keeps the time last sent on. */
    private static final int SENT = -1;

    /** Records a source's report (never backwards). @return the time every source has passed, or -1 while one has not reported */
    long advance(int source, long time) {
        Long before = store.get(source);
        if (before == null || time > before) store.put(source, time);
        long lowest = Long.MAX_VALUE;
        for (int p = 0; p < sources; p++) {
            Long reported = store.get(p);
            if (reported == null) return -1;
            lowest = Math.min(lowest, reported);
        }
        return lowest;
    }

    /** Whether {@code passed} is news to pass on; if so, it is recorded as sent. */
    boolean sendOn(long passed) {
        Long sent = store.get(SENT);
        if (passed < 0 || (sent != null && passed <= sent)) return false;
        store.put(SENT, passed);
        return true;
    }
}
