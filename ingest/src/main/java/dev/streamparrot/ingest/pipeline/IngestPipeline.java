package dev.streamparrot.ingest.pipeline;

import dev.streamparrot.ingest.file.CandidateFile;
import dev.streamparrot.ingest.file.Decision;
import dev.streamparrot.ingest.file.RejectReason;
import dev.streamparrot.ingest.file.Rejection;
import dev.streamparrot.ingest.dedup.ExactDeduper;
import dev.streamparrot.ingest.dedup.LshIndex;
import dev.streamparrot.ingest.filter.Cleaner;
import dev.streamparrot.ingest.filter.CleaningConfig;
import dev.streamparrot.ingest.filter.DecodedFile;
import dev.streamparrot.ingest.source.FileSource;
import dev.streamparrot.ingest.source.SourceListener;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * source → selection → UTF-8 → cleaning heuristics → exact dedup → near dedup → accepted or rejected.
 * Every file ends in exactly one of the two callbacks (skipped extensions in neither), and in the counters.
 * The dedup state is passed in, so a rerun with the same state accepts nothing it accepted before.
 * Safe to call from several threads: the cleaner is stateless and the dedup stages lock themselves.
 */
public final class IngestPipeline {
    private final Cleaner cleaner;
    private final ExactDeduper exact;
    private final LshIndex near;
    private final Consumer<AcceptedFile> onAccepted;
    private final Consumer<Rejection> onRejected;
    private final IngestCounters counters = new IngestCounters();

    /**
     * @param near       the near-duplicate index, or null to skip near dedup
     * @param onAccepted the sink: CLI output, Kafka producer...
     * @param onRejected told about every rejection (may ignore them)
     */
    public IngestPipeline(CleaningConfig config, ExactDeduper exact, LshIndex near,
                          Consumer<AcceptedFile> onAccepted, Consumer<Rejection> onRejected) {
        this.cleaner = new Cleaner(config);
        this.exact = exact;
        this.near = near;
        this.onAccepted = onAccepted;
        this.onRejected = onRejected;
    }

    /** Default config, in-memory dedup state, rejections ignored. */
    public static IngestPipeline inMemory(Consumer<AcceptedFile> onAccepted) {
        return new IngestPipeline(CleaningConfig.defaults(), ExactDeduper.inMemory(), LshIndex.inMemory(), onAccepted, r -> {});
    }

    /** Reads the whole source through the pipeline and returns the counts so far (cumulative over runs). */
    public IngestStats run(FileSource source) throws IOException {
        source.read(listener());
        return stats();
    }

    /**
     * Like {@link #run(FileSource)} with files decided on {@code threads} threads while the source reads on
     * the caller's. Callbacks then arrive on several threads, and which of two identical files counts as
     * the first copy depends on timing. Exact-duplicate counts do not; near-duplicate counts can, when
     * similarity chains (A ~ B ~ C, A !~ C).
     */
    public IngestStats run(FileSource source, int threads) throws IOException {
        if (threads <= 1) return run(source);
        // A short queue and caller-runs keep memory bounded: the reader slows down to the deciders' pace.
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(threads * 4), new ThreadPoolExecutor.CallerRunsPolicy());
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        SourceListener direct = listener();
        try {
            source.read(new SourceListener() {
                @Override public boolean wants(String path) { return direct.wants(path); }

                @Override public int maxBytes() { return direct.maxBytes(); }

                @Override public void onFile(CandidateFile file) {
                    if (failure.get() != null) throw failure.get();
                    pool.execute(() -> {
                        try {
                            process(file);
                        } catch (RuntimeException e) {
                            failure.compareAndSet(null, e);
                        }
                    });
                }

                @Override public void onRejected(Rejection rejection) { direct.onRejected(rejection); }
            });
        } finally {
            pool.shutdown();
            try {
                pool.awaitTermination(Long.MAX_VALUE, TimeUnit.DAYS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (failure.get() != null) throw failure.get();
        return stats();
    }

    public IngestStats stats() {
        return counters.snapshot();
    }

    /** The listener a source reports to; for callers that drive sources themselves. */
    public SourceListener listener() {
        return new SourceListener() {
            @Override public boolean wants(String path) { return cleaner.wants(path); }

            @Override public int maxBytes() { return cleaner.config().maxBytes(); }

            @Override public void onFile(CandidateFile file) { process(file); }

            @Override public void onRejected(Rejection rejection) { reject(rejection); }
        };
    }

    /** Decides one file, tells the matching callback and counts it. */
    public Decision process(CandidateFile file) {
        Decision selected = cleaner.select(file);
        if (selected.outcome() == Decision.Outcome.SKIPPED) return selected;
        counters.read(file.bytes().length);
        if (!selected.accepted()) return rejected(file, selected);

        DecodedFile decoded;
        try {
            decoded = DecodedFile.decode(file);
        } catch (CharacterCodingException e) {
            return rejected(file, Decision.reject(RejectReason.NOT_UTF8, e.toString()));
        }
        Decision cleaned = cleaner.clean(decoded);
        if (!cleaned.accepted()) return rejected(file, cleaned);

        CleaningConfig config = cleaner.config();
        if (config.enabled(RejectReason.EXACT_DUPLICATE)) {
            ExactDeduper.FirstCopy first = exact.offer(decoded.contentHash(), file.key());
            if (first != null) {
                return rejected(file, Decision.reject(RejectReason.EXACT_DUPLICATE, "same as " + first.fileKey()));
            }
        }
        if (near != null && config.enabled(RejectReason.NEAR_DUPLICATE)) {
            LshIndex.Match match = near.findOrAdd(file.key(), decoded.text());
            if (match != null) {
                return rejected(file, Decision.reject(RejectReason.NEAR_DUPLICATE,
                        String.format("Jaccard %.3f with %s", match.jaccard(), match.docId())));
            }
        }
        counters.accepted(file.bytes().length);
        onAccepted.accept(new AcceptedFile(file, decoded.text(), decoded.contentHash()));
        return Decision.accept();
    }

    /** Counts and reports a file a source refused to read. */
    public void reject(Rejection rejection) {
        counters.rejected(rejection.reason());
        onRejected.accept(rejection);
    }

    private Decision rejected(CandidateFile file, Decision decision) {
        reject(new Rejection(file.source(), file.path(), decision.reason(), decision.detail()));
        return decision;
    }
}
