package dev.streamparrot.ingest.dedup;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Where an {@link LshIndex} keeps its buckets and the token sets it verifies candidates with. */
public interface LshStore {

    /** Documents in a bucket (empty when none). */
    List<String> bucket(long bucketKey);

    void addToBucket(long bucketKey, String docId);

    /** The token set of an indexed document, or null if unknown. */
    Set<String> tokens(String docId);

    void putTokens(String docId, Set<String> tokens);

    static LshStore inMemory() {
        Map<Long, List<String>> buckets = new ConcurrentHashMap<>();
        Map<String, Set<String>> tokens = new ConcurrentHashMap<>();
        return new LshStore() {
            @Override public List<String> bucket(long key) { return buckets.getOrDefault(key, List.of()); }

            @Override public void addToBucket(long key, String docId) {
                buckets.computeIfAbsent(key, k -> new ArrayList<>(1)).add(docId);
            }

            @Override public Set<String> tokens(String docId) { return tokens.get(docId); }

            @Override public void putTokens(String docId, Set<String> set) { tokens.put(docId, Set.copyOf(set)); }
        };
    }
}
