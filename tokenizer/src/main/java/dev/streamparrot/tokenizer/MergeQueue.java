package dev.streamparrot.tokenizer;

import java.util.Arrays;

/**
 * HF's max-heap of queued pairs (its {@code Merge}: a pair, its count when queued, and the words
 * that held it then), ordered by count, then by the smaller (left, right) pair. Kept in parallel
 * primitive arrays: the merge loop spends much of its time here.
 */
final class MergeQueue {
    private long[] counts, pairs;
    private int[][] words;
    private int[] sizes;
    private int size;

    MergeQueue(int capacity) {
        counts = new long[capacity];
        pairs = new long[capacity];
        words = new int[capacity][];
        sizes = new int[capacity];
    }

    int size() {
        return size;
    }

    long topPair() {
        return pairs[0];
    }

    long topCount() {
        return counts[0];
    }

    int[] topWords() {
        return words[0];
    }

    int topSize() {
        return sizes[0];
    }

    void push(long count, long pair, int[] positions, int n) {
        if (size == counts.length) {
            int m = size * 2;
            counts = Arrays.copyOf(counts, m);
            pairs = Arrays.copyOf(pairs, m);
            words = Arrays.copyOf(words, m);
            sizes = Arrays.copyOf(sizes, m);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(count, pair, counts[parent], pairs[parent])) break;
            move(parent, i);
            i = parent;
        }
        set(i, count, pair, positions, n);
    }

    void pop() {
        size--;
        words[0] = null;
        if (size > 0) siftDown(counts[size], pairs[size], words[size], sizes[size]);
        words[size] = null;
    }

    /** The top entry gets a new count and goes down to its place. */
    void recountTop(long count) {
        siftDown(count, pairs[0], words[0], sizes[0]);
    }

    private void siftDown(long count, long pair, int[] positions, int n) {
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) break;
            if (child + 1 < size && before(counts[child + 1], pairs[child + 1], counts[child], pairs[child])) child++;
            if (!before(counts[child], pairs[child], count, pair)) break;
            move(child, i);
            i = child;
        }
        set(i, count, pair, positions, n);
    }

    /** Whether (count, pair) is popped before (otherCount, otherPair). */
    private static boolean before(long count, long pair, long otherCount, long otherPair) {
        return count > otherCount || (count == otherCount && pair < otherPair);
    }

    private void move(int from, int to) {
        counts[to] = counts[from];
        pairs[to] = pairs[from];
        words[to] = words[from];
        sizes[to] = sizes[from];
    }

    private void set(int i, long count, long pair, int[] positions, int n) {
        counts[i] = count;
        pairs[i] = pair;
        words[i] = positions;
        sizes[i] = n;
    }
}
