package dev.streamparrot.inference.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** The service's own meters (exported by Prometheus as {@code inference_*}). */
public final class InferenceMetrics {
    private final Counter requests;
    private final Counter streamedRequests;
    private final Counter cancelled;
    private final Counter failed;
    private final Counter tokens;
    private final Timer timeToFirstToken;
    private final Timer requestDuration;
    private final Counter swaps;
    private final Counter rejectedCheckpoints;

    public InferenceMetrics(MeterRegistry registry) {
        requests = Counter.builder("inference.requests").description("completion requests accepted").register(registry);
        streamedRequests = Counter.builder("inference.requests.streamed").description("of them streamed").register(registry);
        cancelled = Counter.builder("inference.requests.cancelled").description("stopped because the client went away").register(registry);
        failed = Counter.builder("inference.requests.failed").description("ended by an error in the model").register(registry);
        tokens = Counter.builder("inference.tokens.generated").description("tokens sampled, all choices").register(registry);
        timeToFirstToken = Timer.builder("inference.time.to.first.token").description("from accepting a request to its first sampled token")
                .publishPercentiles(0.5, 0.9).register(registry);
        requestDuration = Timer.builder("inference.request.duration").description("from accepting a request to its last token")
                .register(registry);
        swaps = Counter.builder("inference.model.swaps").description("models swapped in (the first load included)").register(registry);
        rejectedCheckpoints = Counter.builder("inference.checkpoints.rejected")
                .description("announced checkpoints not loaded (sha256, format, or worse than the served one under the guard)")
                .register(registry);
    }

    void accepted(boolean stream) {
        requests.increment();
        if (stream) streamedRequests.increment();
    }

    void firstToken(Duration sinceAccepted) {
        timeToFirstToken.record(sinceAccepted);
    }

    void tokens(int count) {
        tokens.increment(count);
    }

    void finished(Duration sinceAccepted) {
        requestDuration.record(sinceAccepted);
    }

    void cancelled() {
        cancelled.increment();
    }

    void failed() {
        failed.increment();
    }

    void swapped() {
        swaps.increment();
    }

    void rejectedCheckpoint() {
        rejectedCheckpoints.increment();
    }

    public double tokensGenerated() {
        return tokens.count();
    }

    public double cancelledRequests() {
        return cancelled.count();
    }

    public double modelSwaps() {
        return swaps.count();
    }

    public double rejectedCheckpoints() {
        return rejectedCheckpoints.count();
    }
}
