package dev.streamparrot.tokenizer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The BPE model: a vocabulary and a ranked list of merges, applied to one pre-tokenized piece at
 * a time. Immutable and thread-safe; each thread keeps its own scratch space and piece cache.
 */
final class BpeModel {
    private static final long NO_MERGE = -1L;
    private static final int MAX_CACHED_PIECE = 48;

    private final String[] vocab;
    private final Map<String, Integer> ids;
    private final int[] byteIds = new int[256];
    private final int[] mergeLeft, mergeRight; // in rank order
    /** (left, right) packed → (rank << 32) | merged id. */
    private final LongLongMap merges;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    /**
     * @param vocab token of each id, no gaps
     * @param mergeLeft left token id of each merge, in rank order (a later duplicate wins, as in HF)
     */
    BpeModel(String[] vocab, int[] mergeLeft, int[] mergeRight) {
        this.vocab = vocab.clone();
        this.ids = new HashMap<>(vocab.length * 2);
        for (int id = 0; id < vocab.length; id++) {
            Integer previous = ids.put(vocab[id], id);
            if (previous != null) throw new IllegalArgumentException("token '" + vocab[id] + "' has two ids: " + previous + " and " + id);
        }
        for (int b = 0; b < 256; b++) {
            Integer id = ids.get(String.valueOf(ByteLevel.charOf(b)));
            if (id == null) throw new IllegalArgumentException("vocab lacks the byte token '" + ByteLevel.charOf(b) + "' (byte " + b + ")");
            byteIds[b] = id;
        }
        this.mergeLeft = mergeLeft.clone();
        this.mergeRight = mergeRight.clone();
        this.merges = new LongLongMap(mergeLeft.length);
        for (int rank = 0; rank < mergeLeft.length; rank++) {
            String merged = vocab[mergeLeft[rank]] + vocab[mergeRight[rank]];
            Integer id = ids.get(merged);
            if (id == null) throw new IllegalArgumentException("merge #" + rank + " '" + vocab[mergeLeft[rank]] + " " + vocab[mergeRight[rank]] + "' makes '" + merged + "', which is not in the vocab");
            merges.put(LongLongMap.pair(mergeLeft[rank], mergeRight[rank]), ((long) rank << 32) | id);
        }
    }

    int vocabSize() {
        return vocab.length;
    }

    String token(int id) {
        return vocab[id];
    }

    /** The id of a token, or -1. */
    int id(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    int mergeCount() {
        return mergeLeft.length;
    }

    int mergeLeft(int rank) {
        return mergeLeft[rank];
    }

    int mergeRight(int rank) {
        return mergeRight[rank];
    }

    List<String> vocabList() {
        return List.of(vocab);
    }

    /** Appends the ids of the piece text[from, to) to out. */
    void encodePiece(char[] text, int from, int to, IntList out) {
        Scratch s = scratch.get();
        int length = to - from;
        if (length <= MAX_CACHED_PIECE) {
            int[] cached = s.cache.get(text, from, to);
            if (cached != null) {
                out.addAll(cached);
                return;
            }
        }
        int start = out.size();
        s.ensureBytes(3 * length);
        int n = ByteLevel.Utf8.encode(text, from, to, s.bytes);
        mergeWord(s, n, out);
        if (length <= MAX_CACHED_PIECE) s.cache.put(text, from, to, out.copyFrom(start));
    }

    /**
     * HF's Word::merge_all: a queue ordered by (rank, position) whose stale entries are skipped when
     * the pair at their position no longer makes their token. Merging "the lowest rank first,
     * leftmost first" this way is what GPT-2's merge loop does too.
     */
    private void mergeWord(Scratch s, int n, IntList out) {
        if (n == 1) {
            out.add(byteIds[s.bytes[0] & 0xFF]);
            return;
        }
        s.ensureSymbols(n);
        int[] c = s.symbol, prev = s.prev, next = s.next;
        boolean[] dead = s.dead;
        for (int i = 0; i < n; i++) {
            c[i] = byteIds[s.bytes[i] & 0xFF];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            dead[i] = false;
        }
        Heap heap = s.heap;
        heap.clear();
        for (int i = 0; i + 1 < n; i++) push(heap, c[i], c[i + 1], i);
        while (heap.size > 0) {
            long key = heap.peekKey();
            int newId = heap.peekValue();
            heap.pop();
            int pos = (int) key;
            if (dead[pos] || next[pos] == -1) continue;
            int right = next[pos];
            long m = merges.get(LongLongMap.pair(c[pos], c[right]), NO_MERGE);
            if (m == NO_MERGE || (int) m != newId) continue;
            c[pos] = newId;
            dead[right] = true;
            next[pos] = next[right];
            if (next[right] != -1) prev[next[right]] = pos;
            if (prev[pos] >= 0) push(heap, c[prev[pos]], c[pos], prev[pos]);
            if (next[pos] != -1) push(heap, c[pos], c[next[pos]], pos);
        }
        for (int i = 0; i != -1; i = next[i]) out.add(c[i]);
    }

    private void push(Heap heap, int left, int right, int pos) {
        long m = merges.get(LongLongMap.pair(left, right), NO_MERGE);
        if (m != NO_MERGE) heap.push((m & 0xFFFFFFFF00000000L) | pos, (int) m);
    }

    /** Per-thread buffers, so encoding allocates almost nothing once warm. */
    private static final class Scratch {
        byte[] bytes = new byte[256];
        int[] symbol = new int[64], prev = new int[64], next = new int[64];
        boolean[] dead = new boolean[64];
        final Heap heap = new Heap();
        final PieceCache cache = new PieceCache();

        void ensureBytes(int n) {
            if (bytes.length < n) bytes = new byte[Math.max(n, bytes.length * 2)];
        }

        void ensureSymbols(int n) {
            if (symbol.length < n) {
                int m = Math.max(n, symbol.length * 2);
                symbol = new int[m];
                prev = new int[m];
                next = new int[m];
                dead = new boolean[m];
            }
        }
    }

    /** A binary min-heap of long keys, each with an int payload. */
    private static final class Heap {
        long[] keys = new long[64];
        int[] values = new int[64];
        int size;

        void clear() {
            size = 0;
        }

        long peekKey() {
            return keys[0];
        }

        int peekValue() {
            return values[0];
        }

        void push(long key, int value) {
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (keys[parent] <= key) break;
                keys[i] = keys[parent];
                values[i] = values[parent];
                i = parent;
            }
            keys[i] = key;
            values[i] = value;
        }

        void pop() {
            long key = keys[--size];
            int value = values[size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) break;
                if (child + 1 < size && keys[child + 1] < keys[child]) child++;
                if (keys[child] >= key) break;
                keys[i] = keys[child];
                values[i] = values[child];
                i = child;
            }
            keys[i] = key;
            values[i] = value;
        }
    }

    /**
     * Piece text → ids, for short pieces. Source code repeats the same few thousand pieces, so most
     * lookups hit. Keys are compared against the text in place, so a hit allocates nothing. When
     * full it starts over, which keeps memory bounded without LRU bookkeeping.
     */
    private static final class PieceCache {
        private static final int CAPACITY = 1 << 15;
        private final char[][] keys = new char[CAPACITY][];
        private final int[][] values = new int[CAPACITY][];
        private int size;

        int[] get(char[] text, int from, int to) {
            int i = hash(text, from, to) & (CAPACITY - 1);
            for (char[] k; (k = keys[i]) != null; i = (i + 1) & (CAPACITY - 1)) {
                if (Arrays.equals(k, 0, k.length, text, from, to)) return values[i];
            }
            return null;
        }

        void put(char[] text, int from, int to, int[] ids) {
            if (size >= CAPACITY / 2) {
                Arrays.fill(keys, null);
                Arrays.fill(values, null);
                size = 0;
            }
            int i = hash(text, from, to) & (CAPACITY - 1);
            while (keys[i] != null) i = (i + 1) & (CAPACITY - 1);
            keys[i] = Arrays.copyOfRange(text, from, to);
            values[i] = ids;
            size++;
        }

        private static int hash(char[] text, int from, int to) {
            int h = 0;
            for (int i = from; i < to; i++) h = 31 * h + text[i];
            return h ^ (h >>> 16);
        }
    }
}
