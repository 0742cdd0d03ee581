package dev.streamparrot.tokenizer;

import java.util.Arrays;

/**
 * Counts pre-tokenized pieces ("words"). The training corpus is only ever kept as these counts, so
 * they are stored compactly: every distinct word's chars in one arena, an open-addressing table of
 * word indexes, and a count per word.
 */
final class WordCounter {
    private char[] arena = new char[1 << 16];
    private int arenaSize;
    private int[] start = new int[1024];
    private int[] length = new int[1024];
    private int[] hash = new int[1024];
    private long[] count = new long[1024];
    private int words;
    /** (hash << 32) | (word index + 1), 0 = empty: the hash sits beside the index to spare a cache miss. */
    private long[] table = new long[2048];

    int size() {
        return words;
    }

    long count(int word) {
        return count[word];
    }

    char[] arena() {
        return arena;
    }

    int start(int word) {
        return start[word];
    }

    int length(int word) {
        return length[word];
    }

    String word(int w) {
        return new String(arena, start[w], length[w]);
    }

    /** Counts every piece of a document. */
    void addDocument(String document) {
        char[] text = document.toCharArray();
        for (int i = 0; i < text.length; ) {
            int j = PreTokenizer.nextEnd(text, i, text.length);
            add(text, i, j, 1);
            i = j;
        }
    }

    void add(char[] text, int from, int to, long n) {
        int h = 0;
        for (int i = from; i < to; i++) h = 31 * h + text[i];
        int mask = table.length - 1;
        for (int slot = mix(h) & mask; ; slot = (slot + 1) & mask) {
            long entry = table[slot];
            if (entry == 0) {
                table[slot] = ((long) h << 32) | (append(text, from, to, h, n) + 1);
                if (words * 2 > table.length) rehash();
                return;
            }
            int w = (int) entry - 1;
            if ((int) (entry >>> 32) == h && Arrays.equals(arena, start[w], start[w] + length[w], text, from, to)) {
                count[w] += n;
                return;
            }
        }
    }

    /** Adds all of another counter's counts to this one. */
    void addAll(WordCounter other) {
        for (int w = 0; w < other.words; w++) add(other.arena, other.start[w], other.start[w] + other.length[w], other.count[w]);
    }

    private int append(char[] text, int from, int to, int h, long n) {
        int len = to - from;
        if (arenaSize + len > arena.length) arena = Arrays.copyOf(arena, Math.max(arenaSize + len, arena.length * 2));
        System.arraycopy(text, from, arena, arenaSize, len);
        arenaSize += len;
        if (words == start.length) {
            int m = words * 2;
            start = Arrays.copyOf(start, m);
            length = Arrays.copyOf(length, m);
            hash = Arrays.copyOf(hash, m);
            count = Arrays.copyOf(count, m);
        }
        start[words] = arenaSize - len;
        length[words] = len;
        hash[words] = h;
        count[words] = n;
        return words++;
    }

    private void rehash() {
        table = new long[table.length * 2];
        int mask = table.length - 1;
        for (int w = 0; w < words; w++) {
            int slot = mix(hash[w]) & mask;
            while (table[slot] != 0) slot = (slot + 1) & mask;
            table[slot] = ((long) hash[w] << 32) | (w + 1);
        }
    }

    private static int mix(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
