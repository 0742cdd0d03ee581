package dev.streamparrot.tokenizer;

import java.util.Arrays;

/** A growable int array: token ids without boxing. */
final class IntList {
    private int[] items;
    private int size;

    IntList(int capacity) {
        items = new int[Math.max(4, capacity)];
    }

    int size() {
        return size;
    }

    int get(int i) {
        return items[i];
    }

    void set(int i, int value) {
        items[i] = value;
    }

    void add(int value) {
        if (size == items.length) items = Arrays.copyOf(items, size * 2);
        items[size++] = value;
    }

    void addAll(int[] values) {
        if (size + values.length > items.length) items = Arrays.copyOf(items, Math.max(size + values.length, size * 2));
        System.arraycopy(values, 0, items, size, values.length);
        size += values.length;
    }

    void clear() {
        size = 0;
    }

    int[] copyFrom(int start) {
        return Arrays.copyOfRange(items, start, size);
    }

    int[] toArray() {
        return Arrays.copyOf(items, size);
    }
}
