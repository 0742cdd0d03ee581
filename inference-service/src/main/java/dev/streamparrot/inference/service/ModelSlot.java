package dev.streamparrot.inference.service;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The model the service answers with now. A swap is one reference write: requests that already
 * acquired the old model keep it until they end, new ones get the new one.
 */
public final class ModelSlot implements AutoCloseable {
    private final AtomicReference<LoadedModel> current = new AtomicReference<>();
    private final Consumer<LoadedModel> onSwap;

    /** @param onSwap told of each model swapped in (metrics, logs) */
    public ModelSlot(Consumer<LoadedModel> onSwap) {
        this.onSwap = onSwap;
    }

    public Optional<LoadedModel> current() {
        return Optional.ofNullable(current.get());
    }

    /** The current model, counted as in use until {@link LoadedModel#release()}; empty when none is loaded yet. */
    public Optional<LoadedModel> acquire() {
        while (true) {
            LoadedModel m = current.get();
            if (m == null) return Optional.empty();
            if (m.acquire()) return Optional.of(m);
            // retired between the read and the acquire: the swap has already installed its successor
        }
    }

    /** Serves {@code next} from now on; the previous model is freed once its requests end. */
    public void swap(LoadedModel next) {
        LoadedModel previous = current.getAndSet(next);
        onSwap.accept(next);
        if (previous != null && previous != next) previous.retire();
    }

    @Override
    public void close() {
        LoadedModel last = current.getAndSet(null);
        if (last != null) last.retire();
    }
}
