package dev.streamparrot.ingest.service;

import dev.streamparrot.ingest.dedup.ExactDeduper;
import dev.streamparrot.ingest.filter.CleaningConfig;
import dev.streamparrot.ingest.pipeline.IngestPipeline;
import dev.streamparrot.ingest.pipeline.IngestStats;
import dev.streamparrot.ingest.pipeline.RejectReason;
import dev.streamparrot.ingest.source.GitChanges;
import dev.streamparrot.ingest.source.GitSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps track of repositories: clones each once, then fetches and ingests only what changed since its
 * last ingested commit, on request and every poll interval. One repository is worked on at a time
 * (clones are network- and disk-bound; the 2-core development machine gains nothing from more).
 */
public final class RepositoryTracker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RepositoryTracker.class);

    private final GitSource git;
    private final CleaningConfig cleaning;
    private final CandidatePublisher publisher;
    private final Map<String, RepoState> repos = new ConcurrentHashMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> new Thread(r, "repo-ingest"));
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "repo-poll"));

    public RepositoryTracker(GitSource git, CleaningConfig cleaning, CandidatePublisher publisher, Duration pollInterval) {
        this.git = git;
        // Duplicates are judged by the stream stage over everything ever ingested, not per repository.
        this.cleaning = cleaning.withDisabled(RejectReason.EXACT_DUPLICATE, RejectReason.NEAR_DUPLICATE);
        this.publisher = publisher;
        if (!pollInterval.isZero()) {
            poller.scheduleWithFixedDelay(this::pollAll, pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The id of a tracked repository: the same url and ref always give the same id. */
    public static String idOf(String url, String ref) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest((url + "#" + (ref == null ? "" : ref)).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Queues an ingest of the repository (a fetch of what changed, if it is known already). */
    public RepoState request(String url, String ref) {
        String id = idOf(url, ref);
        RepoState state = repos.compute(id, (key, known) -> known == null
                ? new RepoState(id, url, ref, "queued", null, null, null, 0, Map.of(), Instant.now())
                : known.status().equals("queued") ? known : known.with("queued", null));
        worker.submit(() -> ingest(id));
        return state;
    }

    public List<RepoState> all() {
        return repos.values().stream().sorted(Comparator.comparing(RepoState::url)).toList();
    }

    public Optional<RepoState> get(String id) {
        return Optional.ofNullable(repos.get(id));
    }

    private void pollAll() {
        repos.values().stream().filter(r -> r.status().equals("done")).forEach(r -> request(r.url(), r.ref()));
    }

    private void ingest(String id) {
        RepoState state = repos.get(id);
        if (state == null || !state.status().equals("queued")) return; // a second request for the same work
        repos.put(id, state.with("cloning", null));
        try {
            GitChanges changes = git.sync(state.url(), state.ref(), state.lastCommit());
            repos.put(id, repos.get(id).with("ingesting", null));
            IngestPipeline pipeline = new IngestPipeline(cleaning, ExactDeduper.inMemory(), null,
                    publisher::accepted, rejection -> publisher.rejected(rejection, changes.toCommit()));
            IngestStats stats = changes.upToDate() ? pipeline.stats() : pipeline.run(git.files(changes));
            publisher.flush();
            Map<String, Long> rejected = new TreeMap<>(state.rejected());
            stats.rejected().forEach((reason, count) -> {
                if (count > 0) rejected.merge(reason.name(), count, Long::sum);
            });
            repos.put(id, new RepoState(id, state.url(), state.ref(), "done", null, changes.toCommit(),
                    changes.license(), state.accepted() + stats.accepted(), Map.copyOf(rejected), Instant.now()));
            LOG.info("ingested {} at {}: {} changed paths, {} accepted", state.url(), changes.toCommit(),
                    changes.changedPaths().size(), stats.accepted());
        } catch (Exception e) {
            LOG.warn("ingesting {} failed: {}", state.url(), e.getMessage());
            repos.put(id, repos.get(id).with("failed", e.getMessage()));
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
        worker.shutdownNow();
    }
}
