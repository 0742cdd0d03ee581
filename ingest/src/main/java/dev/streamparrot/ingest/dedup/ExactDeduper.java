package dev.streamparrot.ingest.dedup;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps the first file seen for each content hash and counts the copies after it. The state lives in a
 * {@link Store} so the Kafka Streams stage can back it with a state store; {@link #inMemory()} is for the
 * CLI and tests.
 */
public final class ExactDeduper {

    /** The first file seen with some content hash, and how many copies (itself included) have been seen. */
    public record FirstCopy(String fileKey, long copies) {}

    /** hash → first copy. Kafka Streams' KeyValueStore has exactly this shape. */
    public interface Store {
        FirstCopy get(String contentHash);

        void put(String contentHash, FirstCopy firstCopy);

        void delete(String contentHash);
    }

    private final Store store;

    public ExactDeduper(Store store) {
        this.store = store;
    }

    public static ExactDeduper inMemory() {
        Map<String, FirstCopy> map = new ConcurrentHashMap<>();
        return new ExactDeduper(new Store() {
            @Override public FirstCopy get(String hash) { return map.get(hash); }

            @Override public void put(String hash, FirstCopy firstCopy) { map.put(hash, firstCopy); }

            @Override public void delete(String hash) { map.remove(hash); }
        });
    }

    /**
     * Records one copy of {@code contentHash} found at {@code fileKey}.
     *
     * @return null when this is the first copy (keep the file), else the first copy it duplicates
     */
    public synchronized FirstCopy offer(String contentHash, String fileKey) {
        FirstCopy first = store.get(contentHash);
        if (first == null) {
            store.put(contentHash, new FirstCopy(fileKey, 1));
            return null;
        }
        store.put(contentHash, new FirstCopy(first.fileKey(), first.copies() + 1));
        return first;
    }

    /**
     * The file at {@code fileKey} was deleted: if it was the first copy of {@code contentHash}, forget the
     * hash, so the same content offered again (a reverted deletion) is a first copy, not a duplicate of a
     * file that is gone. Copies kept elsewhere as duplicates stay rejected; they were never published.
     */
    public synchronized void forget(String contentHash, String fileKey) {
        FirstCopy first = store.get(contentHash);
        if (first != null && first.fileKey().equals(fileKey)) store.delete(contentHash);
    }
}
