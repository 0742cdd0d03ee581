package dev.streamparrot.inference.service;

import dev.streamparrot.inference.api.CompletionService;
import dev.streamparrot.model.generate.LanguageModel;
import dev.streamparrot.model.generate.TextCodec;
import dev.streamparrot.inference.provenance.CheckpointProvenance;
import java.time.Instant;

/**
 * A model in memory with its tokenizer, under a public id such as {@code step-1200-3f2a9c1d0b7e4a55}.
 * Requests {@link #acquire()} it before they start and {@link #release()} it when they end; once
 * {@link #retire() retired} by a swap it takes no new requests and frees its weights after the last
 * one ends, so requests in flight finish on the model they started on.
 */
public final class LoadedModel {
    private final CheckpointProvenance provenance;
    /** Holds the id, the model and the codec: one place for them, so what a request runs on is what we name. */
    private final CompletionService service;
    private final Runnable free;
    private final Instant loadedAt = Instant.now();
    private int users;
    private boolean retired;
    private boolean freed;

    /** @param free releases the weights (closes the NDManager); runs once, after retirement and the last request */
    public LoadedModel(String id, LanguageModel model, TextCodec codec, Runnable free) {
        this(id, CheckpointProvenance.UNKNOWN, model, codec, free);
    }

    /** @param provenance the checkpoint's step and data frontier, named in every response's {@code system_fingerprint} */
    public LoadedModel(String id, CheckpointProvenance provenance, LanguageModel model, TextCodec codec, Runnable free) {
        this.provenance = provenance;
        this.service = new CompletionService(model, codec, id, provenance.fingerprint());
        this.free = free;
    }

    public String id() {
        return service.modelName();
    }

    public CheckpointProvenance provenance() {
        return provenance;
    }

    public LanguageModel model() {
        return service.model();
    }

    public TextCodec codec() {
        return service.codec();
    }

    /**
     * Validates and runs requests on this model. {@code prepare} (tokenizing, checks) is safe from any
     * thread; running a completion touches the model, so in the service only the decode loop does it.
     */
    public CompletionService service() {
        return service;
    }

    public Instant loadedAt() {
        return loadedAt;
    }

    /** Counts one more request; false once retired (then take the slot's new model). */
    public synchronized boolean acquire() {
        if (retired) return false;
        users++;
        return true;
    }

    /** One more reference, taken by someone who already holds one: works after retirement too. */
    public synchronized void retain() {
        if (users == 0) throw new IllegalStateException("retain without a reference held");
        users++;
    }

    public void release() {
        boolean last;
        synchronized (this) {
            if (users == 0) throw new IllegalStateException("release without acquire");
            users--;
            last = retired && users == 0;
        }
        if (last) freeOnce();
    }

    /** No new requests; frees the weights now or when the last request in flight releases it. */
    public void retire() {
        boolean idle;
        synchronized (this) {
            retired = true;
            idle = users == 0;
        }
        if (idle) freeOnce();
    }

    public synchronized boolean isFreed() {
        return freed;
    }

    public synchronized int users() {
        return users;
    }

    private void freeOnce() {
        synchronized (this) {
            if (freed) return;
            freed = true;
        }
        free.run();
    }

    @Override
    public String toString() {
        return id();
    }
}
