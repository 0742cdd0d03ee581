package dev.streamparrot.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * Keys and values of the positions a {@link Gpt} has already seen, per layer, shaped (B, heads, T, head_dim),
 * so that generating one more token runs the model over one position instead of the whole sequence.
 *
 * <p>Owns its arrays: they survive the per-token managers the caller may close, and are freed by
 * {@link #close()}.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private long length;

    KvCache(int nLayer, NDManager parent) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[nLayer];
        this.values = new NDArray[nLayer];
    }

    /** Number of positions cached so far (= position of the next token). */
    public long length() {
        return length;
    }

    /** Appends the new positions' k, v for one layer and returns the layer's full keys and values. */
    NDList append(int layer, NDArray k, NDArray v) {
        keys[layer] = grow(keys[layer], k);
        values[layer] = grow(values[layer], v);
        return new NDList(keys[layer], values[layer]);
    }

    private NDArray grow(NDArray old, NDArray add) {
        NDArray all = old == null ? add.duplicate() : old.concat(add, 2);
        all.attach(manager);
        if (old != null) {
            old.close();
        }
        return all;
    }

    void advance(long positions) {
        length += positions;
    }

    @Override
    public void close() {
        manager.close();
    }
}
