package dev.streamparrot.tokenizer;

/** HF's Word::merge over the flat symbol array, reporting pair count changes as it goes. */
final class WordMerger {
    private final int[] symbols, start, length;
    private final long[] counts;
    private final LongLongMap delta;
    private final PairPositions where;

    WordMerger(int[] symbols, int[] start, int[] length, long[] counts, LongLongMap delta, PairPositions where) {
        this.symbols = symbols;
        this.start = start;
        this.length = length;
        this.counts = counts;
        this.delta = delta;
        this.where = where;
    }

    void merge(int w, int a, int b, int newId) {
        int s = start[w], n = length[w];
        long count = counts[w];
        for (int i = 0; i < n; i++) {
            if (symbols[s + i] != a || i + 1 >= n || symbols[s + i + 1] != b) continue;
            if (i > 0) {
                int before = symbols[s + i - 1];
                change(LongLongMap.pair(before, a), -count, w);
                change(LongLongMap.pair(before, newId), count, w);
            }
            symbols[s + i] = newId;
            System.arraycopy(symbols, s + i + 2, symbols, s + i + 1, n - i - 2);
            n--;
            if (i < n - 1) {
                int after = symbols[s + i + 1];
                change(LongLongMap.pair(b, after), -count, w);
                change(LongLongMap.pair(newId, after), count, w);
            }
        }
        length[w] = n;
    }

    private void change(long pair, long amount, int w) {
        delta.add(pair, amount);
        if (amount > 0) where.add(pair, w);
    }
}
