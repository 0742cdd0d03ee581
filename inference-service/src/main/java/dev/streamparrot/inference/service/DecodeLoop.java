package dev.streamparrot.inference.service;

import dev.streamparrot.model.generate.GptLanguageModel;
import dev.streamparrot.inference.api.CompletionResponse;
import dev.streamparrot.inference.api.CompletionService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that runs the models: continuous batching. Every pass of the loop admits the
 * requests that arrived since the last pass (their prompts run now), then advances every request in
 * flight by one token and retires the ones that finished or whose client went away. So a new request
 * waits at most one step to start, and each request keeps its own sampling parameters and stop state.
 *
 * <p>Requests on the same {@link GptLanguageModel} share one forward pass per pass of this loop: the
 * model defers each request's appended token until the next request asks for logits, then runs every
 * open row at once. Requests on different models (during a swap) take turns: each holds its own model.
 */
public final class DecodeLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DecodeLoop.class);

    /** A request handed to the loop; {@link #cancel()} is safe from any thread. */
    public final class Job {
        private final LoadedModel model;
        private final CompletionService.Completion completion;
        private final Consumer<CompletionResponse> chunks;
        private final CompletableFuture<CompletionResponse> result = new CompletableFuture<>();
        private final long acceptedNanos = System.nanoTime();
        private volatile boolean cancelled;
        private CompletionService.Completion.Running running;
        private int reportedTokens;

        private Job(LoadedModel model, CompletionService.Completion completion, Consumer<CompletionResponse> chunks) {
            this.model = model;
            this.completion = completion;
            this.chunks = chunks;
        }

        /**
         * Completes with the whole response (null when streamed) once every choice finished;
         * exceptionally with {@link CancellationException} when cancelled, or the model's error.
         */
        public CompletableFuture<CompletionResponse> result() {
            return result;
        }

        /** Stops generating at the next step boundary: the client went away. */
        public void cancel() {
            cancelled = true;
            wakeUp.offer(NOTHING);
        }

        public String modelId() {
            return model.id();
        }
    }

    private static final Object NOTHING = new Object();

    private final InferenceMetrics metrics;
    private final LinkedBlockingQueue<Job> arrivals = new LinkedBlockingQueue<>();
    /** Poked on cancel and close, so an idle loop notices. */
    private final LinkedBlockingQueue<Object> wakeUp = new LinkedBlockingQueue<>();
    private final List<Job> inFlight = new ArrayList<>();
    private final Thread thread;
    private volatile boolean closed;
    private volatile int maxBatch;
    private volatile long steps;

    public DecodeLoop(InferenceMetrics metrics) {
        this.metrics = metrics;
        this.thread = new Thread(this::loop, "decode-loop");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Queues a prepared completion on {@code model}, which the caller has acquired: the loop releases it
     * when the request ends.
     *
     * @param chunks where streamed chunks go (called on the loop's thread), or null for a whole response
     */
    public Job submit(LoadedModel model, CompletionService.Completion completion, Consumer<CompletionResponse> chunks) {
        Job job = new Job(model, completion, chunks);
        if (closed) {
            model.release();
            job.result.completeExceptionally(new IllegalStateException("the service is shutting down"));
            return job;
        }
        metrics.accepted(chunks != null);
        arrivals.add(job);
        wakeUp.offer(NOTHING);
        return job;
    }

    /** Requests being decoded now. */
    public int inFlight() {
        return inFlight.size() + arrivals.size();
    }

    /** The most requests that ever advanced in one pass: shows that concurrent requests batch. */
    public int maxBatch() {
        return maxBatch;
    }

    /** Passes made over the requests in flight (one token each). */
    public long steps() {
        return steps;
    }

    private void loop() {
        while (!closed) {
            try {
                if (inFlight.isEmpty() && arrivals.isEmpty()) {
                    wakeUp.poll(1, TimeUnit.SECONDS);
                    continue;
                }
                wakeUp.clear();
                arrivals.drainTo(inFlight);
                maxBatch = Math.max(maxBatch, inFlight.size());
                steps++;
                for (Iterator<Job> it = inFlight.iterator(); it.hasNext(); ) {
                    Job job = it.next();
                    if (advance(job)) continue;
                    it.remove();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException | Error e) {
                LOG.error("decode loop", e); // a job's own errors are caught in advance(); this is a bug
            }
        }
        for (Job job : inFlight) end(job, new CancellationException("the service is shutting down"));
        inFlight.clear();
        for (Job job; (job = arrivals.poll()) != null; ) end(job, new CancellationException("the service is shutting down"));
    }

    /** One token for the job; false when it has ended (and has been cleaned up). */
    private boolean advance(Job job) {
        if (job.cancelled) {
            metrics.cancelled();
            end(job, new CancellationException("client went away"));
            return false;
        }
        try {
            if (job.running == null) job.running = job.completion.start(job.chunks);
            boolean more = job.running.step();
            int tokens = job.running.completionTokens();
            if (job.reportedTokens == 0 && tokens > 0) metrics.firstToken(since(job));
            metrics.tokens(tokens - job.reportedTokens);
            job.reportedTokens = tokens;
            if (more) return true;
            CompletionResponse whole = job.chunks == null ? job.running.response() : null;
            metrics.finished(since(job));
            close(job);
            job.result.complete(whole);
            return false;
        } catch (RuntimeException e) {
            LOG.warn("completion on {} failed", job.model.id(), e);
            metrics.failed();
            end(job, e);
            return false;
        }
    }

    private static Duration since(Job job) {
        return Duration.ofNanos(System.nanoTime() - job.acceptedNanos);
    }

    private void end(Job job, Throwable why) {
        close(job);
        job.result.completeExceptionally(why);
    }

    private void close(Job job) {
        try {
            if (job.running != null) job.running.close();
        } finally {
            job.running = null;
            job.model.release();
        }
    }

    @Override
    public void close() {
        closed = true;
        wakeUp.offer(NOTHING);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
