package dev.streamparrot.tokenizer;

import java.util.Arrays;

/**
 * An open-addressing map from non-negative long keys to long values, without boxing. Pairs of
 * token ids are packed into one long as {@code (left << 32) | right}.
 */
final class LongLongMap {
    private static final long EMPTY = -1L;
    private long[] keys;
    private long[] values;
    /** The occupied slots in insertion order, so clearing and visiting cost the size, not the capacity. */
    private int[] filled;
    private int size;
    private int mask;

    LongLongMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        values = new long[capacity];
        filled = new int[capacity / 2 + 1];
        Arrays.fill(keys, EMPTY);
        mask = capacity - 1;
    }

    static long pair(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    static int left(long pair) {
        return (int) (pair >>> 32);
    }

    static int right(long pair) {
        return (int) pair;
    }

    int size() {
        return size;
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        int i = (int) (h ^ (h >>> 29)) & mask;
        while (keys[i] != EMPTY && keys[i] != key) i = (i + 1) & mask;
        return i;
    }

    /** The value for key, or {@code missing} when absent. */
    long get(long key, long missing) {
        int i = slot(key);
        return keys[i] == EMPTY ? missing : values[i];
    }

    void put(long key, long value) {
        int i = slot(key);
        if (keys[i] == EMPTY) insert(i, key, value);
        else values[i] = value;
    }

    /** Adds delta to the value of key (absent keys count as 0) and returns the new value. */
    long add(long key, long delta) {
        int i = slot(key);
        if (keys[i] != EMPTY) return values[i] += delta;
        insert(i, key, delta);
        return delta;
    }

    /** Fills the empty slot i, growing the table once it is half full. */
    private void insert(int i, long key, long value) {
        keys[i] = key;
        values[i] = value;
        filled[size] = i;
        if (++size * 2 > keys.length) grow();
    }

    void clear() {
        for (int k = 0; k < size; k++) keys[filled[k]] = EMPTY;
        size = 0;
    }

    /** Visits each entry in insertion order. */
    void forEach(Visitor visitor) {
        for (int k = 0; k < size; k++) visitor.visit(keys[filled[k]], values[filled[k]]);
    }

    interface Visitor {
        void visit(long key, long value);
    }

    private void grow() {
        long[] oldKeys = keys, oldValues = values;
        int[] oldFilled = filled;
        keys = new long[oldKeys.length * 2];
        values = new long[oldKeys.length * 2];
        filled = new int[oldKeys.length + 1];
        Arrays.fill(keys, EMPTY);
        mask = keys.length - 1;
        for (int k = 0; k < size; k++) {
            int i = oldFilled[k];
            int j = slot(oldKeys[i]);
            keys[j] = oldKeys[i];
            values[j] = oldValues[i];
            filled[k] = j;
        }
    }
}
