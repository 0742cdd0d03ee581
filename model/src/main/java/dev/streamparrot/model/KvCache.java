package dev.streamparrot.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/**
 * Keys and values of the positions a {@link Gpt} has already seen, per layer, shaped (B, heads, T, head_dim),
 * so that generating one more token runs the model over one position instead of the whole sequence.
 *
 * <p>Rows of different lengths share one cache by padding: a padded slot holds keys no query may attend to
 * (an additive bias of -1e9 per row and slot) and takes no position id, so a row's logits are those it would
 * get alone. That lets sequences that started at different times decode in one forward pass: a row joins
 * with {@link #join}, leaves with {@link #removeRows}.
 *
 * <p>Owns its arrays: they survive the per-token managers the caller may close, and are freed by
 * {@link #close()}.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    /** (B,1,1,length) additive attention bias: 0 for a real key, -1e9 for padding. */
    private NDArray keyBias;
    private long length;
    /** Per row: the position id of its next real token. */
    private long[] next = new long[0];
    /** Per row: how many leading slots are padding (so rows leaving can free common padding). */
    private long[] leading = new long[0];

    KvCache(int nLayer, NDManager parent) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[nLayer];
        this.values = new NDArray[nLayer];
    }

    /** Number of slots cached so far, padding included; for a cache without padding, the next position. */
    public long length() {
        return length;
    }

    /** Rows in the cache (0 until the first forward pass). */
    public int rows() {
        return next.length;
    }

    /** Position id the next real token of {@code row} will take (its real tokens so far). */
    public long position(int row) {
        return next[row];
    }

    /**
     * Moves the rows of {@code other} after this cache's rows, left-padding whichever is shorter; {@code other}
     * is empty afterwards. Both must belong to the same model.
     */
    public void join(KvCache other) {
        if (other.rows() == 0) return;
        if (rows() == 0) {
            adopt(other);
            return;
        }
        long len = Math.max(length, other.length);
        try (NDManager tmp = manager.newSubManager()) { // the padded copies are intermediates
            for (int i = 0; i < keys.length; i++) {
                keys[i] = replace(keys[i], padLeft(keys[i], len, 2, tmp).concat(padLeft(other.keys[i], len, 2, tmp), 0));
                values[i] = replace(values[i], padLeft(values[i], len, 2, tmp).concat(padLeft(other.values[i], len, 2, tmp), 0));
            }
            keyBias = replace(keyBias, padLeft(keyBias, len, 3, tmp).concat(padLeft(other.keyBias, len, 3, tmp), 0));
        }
        leading = concat(shift(leading, len - length), shift(other.leading, len - other.length));
        next = concat(next, other.next);
        length = len;
        other.clear();
    }

    /** Drops rows [from, to) and the leading padding every remaining row has. */
    public void removeRows(int from, int to) {
        if (from < 0 || to > rows() || from > to) throw new IndexOutOfBoundsException(from + ".." + to + " of " + rows());
        if (from == to) return;
        if (to - from == rows()) {
            clear();
            return;
        }
        long[] keptLeading = concat(Arrays.copyOfRange(leading, 0, from), Arrays.copyOfRange(leading, to, rows()));
        long trim = Arrays.stream(keptLeading).min().orElse(0);
        try (NDManager tmp = manager.newSubManager()) {
            for (int i = 0; i < keys.length; i++) {
                keys[i] = replace(keys[i], dropRows(keys[i], from, to, trim, 2, tmp));
                values[i] = replace(values[i], dropRows(values[i], from, to, trim, 2, tmp));
            }
            keyBias = replace(keyBias, dropRows(keyBias, from, to, trim, 3, tmp));
        }
        leading = shift(keptLeading, -trim);
        next = concat(Arrays.copyOfRange(next, 0, from), Arrays.copyOfRange(next, to, next.length));
        length -= trim;
    }

    // ------------------------------------------------------------ used by Gpt.run

    /** Position ids (B,T) of new tokens whose first {@code pad[r]} are padding; checks the model's limit. */
    long[][] positions(int t, int[] pad, int nPositions) {
        long[] start = rows() == 0 ? new long[pad.length] : next;
        if (start.length != pad.length) {
            throw new IllegalArgumentException(pad.length + " rows for a cache of " + start.length);
        }
        long[][] pos = new long[pad.length][t];
        for (int r = 0; r < pad.length; r++) {
            if (pad[r] < 0 || pad[r] > t) throw new IllegalArgumentException("row " + r + " pads " + pad[r] + " of " + t);
            if (start[r] + t - pad[r] > nPositions) {
                throw new IllegalArgumentException("sequence of " + (start[r] + t - pad[r]) + " exceeds n_positions " + nPositions);
            }
            for (int i = 0; i < t; i++) {
                // padding takes some valid id: its output is never attended to or read
                pos[r][i] = Math.min(start[r] + Math.max(0, i - pad[r]), nPositions - 1);
            }
        }
        return pos;
    }

    /** Appends the new slots' key bias and returns the (B,1,1,length+T) bias of all slots. */
    NDArray appendBias(NDArray bias) {
        keyBias = grow(keyBias, bias, 3);
        return keyBias;
    }

    /** Appends the new positions' k, v for one layer and returns the layer's full keys and values. */
    NDList append(int layer, NDArray k, NDArray v) {
        keys[layer] = grow(keys[layer], k, 2);
        values[layer] = grow(values[layer], v, 2);
        return new NDList(keys[layer], values[layer]);
    }

    void advance(int t, int[] pad) {
        if (rows() == 0) {
            next = new long[pad.length];
            leading = new long[pad.length];
            for (int r = 0; r < pad.length; r++) leading[r] = pad[r];
        }
        for (int r = 0; r < pad.length; r++) next[r] += t - pad[r];
        length += t;
    }

    // ------------------------------------------------------------ array plumbing

    private NDArray grow(NDArray old, NDArray add, int axis) {
        NDArray all = old == null ? add.duplicate() : old.concat(add, axis);
        return replace(old, all);
    }

    /** Keeps {@code now} in this cache's manager and frees {@code old} (unless it is the same array). */
    private NDArray replace(NDArray old, NDArray now) {
        now.attach(manager);
        if (old != null && old != now) old.close();
        return now;
    }

    /** Left-pads axis {@code axis} with zeros (-1e9 for the bias: padding) up to {@code len}. */
    private static NDArray padLeft(NDArray a, long len, int axis, NDManager tmp) {
        long have = a.getShape().get(axis);
        if (have == len) return a;
        long[] dims = a.getShape().getShape().clone();
        dims[axis] = len - have;
        NDArray pad = axis == 3 ? tmp.full(new Shape(dims), -1e9f, DataType.FLOAT32) : tmp.zeros(new Shape(dims), a.getDataType());
        NDArray padded = pad.concat(a, axis);
        padded.attach(tmp);
        return padded;
    }

    /** a without rows [from, to) and without the first {@code trim} slots (slots are axis {@code axis}). */
    private static NDArray dropRows(NDArray a, int from, int to, long trim, int axis, NDManager tmp) {
        String slots = ":, ".repeat(axis - 1) + trim + ":";
        NDList kept = new NDList();
        if (from > 0) kept.add(a.get("0:" + from + ", " + slots));
        if (to < a.getShape().get(0)) kept.add(a.get(to + ":, " + slots));
        kept.attach(tmp);
        return kept.size() == 1 ? kept.get(0).duplicate() : kept.get(0).concat(kept.get(1), 0);
    }

    private void adopt(KvCache other) {
        for (int i = 0; i < keys.length; i++) {
            keys[i] = replace(keys[i], other.keys[i]);
            values[i] = replace(values[i], other.values[i]);
        }
        keyBias = replace(keyBias, other.keyBias);
        length = other.length;
        next = other.next;
        leading = other.leading;
        Arrays.fill(other.keys, null);
        Arrays.fill(other.values, null);
        other.keyBias = null;
        other.clear();
    }

    private void clear() {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) keys[i].close();
            if (values[i] != null) values[i].close();
            keys[i] = null;
            values[i] = null;
        }
        if (keyBias != null) keyBias.close();
        keyBias = null;
        length = 0;
        next = new long[0];
        leading = new long[0];
    }

    private static long[] concat(long[] a, long[] b) {
        long[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static long[] shift(long[] a, long by) {
        long[] c = a.clone();
        for (int i = 0; i < c.length; i++) c[i] += by;
        return c;
    }

    @Override
    public void close() {
        manager.close();
    }
}
