package dev.streamparrot.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Pair → the words (each once) where it occurs or gained; HF's where_to_update. */
final class PairPositions {
    private final LongLongMap index = new LongLongMap(1 << 12);
    private final List<int[]> lists = new ArrayList<>();
    private final IntList sizes = new IntList(1 << 12);
    private long[] pairs = new long[1 << 12];

    int size() {
        return lists.size();
    }

    void add(long pair, int word) {
        int k = (int) index.get(pair, -1);
        if (k < 0) {
            k = lists.size();
            index.put(pair, k);
            lists.add(new int[4]);
            sizes.add(0);
            if (k == pairs.length) pairs = Arrays.copyOf(pairs, k * 2);
            pairs[k] = pair;
        }
        int n = sizes.get(k);
        int[] list = lists.get(k);
        if (n > 0 && list[n - 1] == word) return; // words are visited one at a time: a set for free
        if (n == list.length) lists.set(k, list = Arrays.copyOf(list, n * 2));
        list[n] = word;
        sizes.set(k, n + 1);
    }

    /** Queues every pair with a positive count, then forgets them all. */
    void drainInto(MergeQueue queue, LongLongMap pairCounts) {
        for (int k = 0; k < lists.size(); k++) {
            long count = pairCounts.get(pairs[k], 0);
            if (count > 0) queue.push(count, pairs[k], lists.get(k), sizes.get(k));
        }
        index.clear();
        lists.clear();
        sizes.clear();
    }
}
