package dev.streamparrot.ingest.service;

import dev.streamparrot.ingest.dedup.ExactDeduper;
import dev.streamparrot.ingest.filter.Cleaner;
import dev.streamparrot.ingest.filter.CleaningConfig;
import dev.streamparrot.ingest.filter.DecodedFile;
import dev.streamparrot.ingest.file.CandidateFile;
import dev.streamparrot.ingest.pipeline.IngestPipeline;
import dev.streamparrot.ingest.pipeline.IngestStats;
import dev.streamparrot.ingest.file.RejectReason;
import dev.streamparrot.ingest.file.Rejection;
import dev.streamparrot.ingest.source.GitChanges;
import dev.streamparrot.ingest.source.GitSource;
import dev.streamparrot.ingest.source.SourceListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
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
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps track of repositories: clones each once, then fetches and ingests only what changed since its
 * last ingested commit, on request and every poll interval. What it knows is kept in the repo-state topic
 * and read back at start, so a restarted instance polls every known repository again and resumes
 * interrupted work. One repository is worked on at a time (clones are network- and disk-bound; the 2-core
 * development machine gains nothing from more).
 */
public final class RepositoryTracker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RepositoryTracker.class);

    private final GitSource git;
    private final CleaningConfig cleaning;
    private final CandidatePublisher publisher;
    private final RepoStateTopic stateTopic;
    private final Map<String, RepoState> repos = new ConcurrentHashMap<>();
    /** Ids with an ingest queued and not yet started: more requests meanwhile need no second run. */
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> new Thread(r, "repo-ingest"));
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "repo-poll"));

    public RepositoryTracker(GitSource git, CleaningConfig cleaning, CandidatePublisher publisher,
                             RepoStateTopic stateTopic, Duration pollInterval) {
        this.git = git;
        // Duplicates are judged by the stream stage over everything ever ingested, not per repository.
        this.cleaning = cleaning.withDisabled(RejectReason.EXACT_DUPLICATE, RejectReason.NEAR_DUPLICATE);
        this.publisher = publisher;
        this.stateTopic = stateTopic;
        for (RepoState known : stateTopic.load()) repos.put(known.id(), known);
        LOG.info("{} known repositories", repos.size());
        // Work a stop interrupted starts over from the last commit that was fully published.
        repos.values().stream().filter(RepoState::unfinished).toList().forEach(r -> request(r.url(), r.ref()));
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
    public synchronized RepoState request(String url, String ref) {
        String id = idOf(url, ref);
        RepoState known = repos.get(id);
        RepoState state = known == null ? RepoState.queued(id, url, ref) : known.with("queued", null);
        if (!pending.add(id)) return repos.get(id);
        try {
            save(state);
        } catch (RuntimeException e) {
            pending.remove(id); // not queued after all: a later request or poll tries again
            throw e;
        }
        worker.submit(() -> ingest(id));
        return state;
    }

    public List<RepoState> all() {
        return repos.values().stream().sorted(Comparator.comparing(RepoState::url)).toList();
    }

    public Optional<RepoState> get(String id) {
        return Optional.ofNullable(repos.get(id));
    }

    /** Fetches every repository again; failed ones too, since an unreachable host may be back. */
    private void pollAll() {
        try {
            repos.values().stream().filter(r -> !r.unfinished()).toList().forEach(r -> request(r.url(), r.ref()));
        } catch (RuntimeException e) {
            LOG.warn("polling repositories failed, trying again next interval: {}", e.toString());
        }
    }

    private void ingest(String id) {
        pending.remove(id);
        RepoState state = repos.get(id);
        try {
            save(state.with("cloning", null));
            GitChanges changes = git.sync(state.url(), state.ref(), state.lastCommit());
            save(repos.get(id).with("ingesting", null));
            IngestPipeline pipeline = new IngestPipeline(cleaning, ExactDeduper.inMemory(), null,
                    publisher::accepted, rejection -> publisher.rejected(rejection, changes.toCommit()));
            IngestStats stats = changes.upToDate() ? pipeline.stats() : pipeline.run(git.files(changes));
            long deleted = publishDeletions(changes);
            publisher.flush();
            // Only now, with every file and deletion acknowledged, does lastCommit move on: a crash before
            // this line ingests the same changes again, and the dedup stage rejects the second copies.
            Map<String, Long> rejected = new TreeMap<>(state.rejected());
            stats.rejected().forEach((reason, count) -> {
                if (count > 0) rejected.merge(reason.name(), count, Long::sum);
            });
            save(new RepoState(id, state.url(), state.ref(), "done", null, changes.toCommit(), changes.license(),
                    state.accepted() + stats.accepted(), state.deleted() + deleted, Map.copyOf(rejected), Instant.now()));
            if (!changes.upToDate()) {
                LOG.info("ingested {} at {}: {} changed and {} deleted paths, {} accepted", state.url(), changes.toCommit(),
                        changes.changedPaths().size(), changes.deletedPaths().size(), stats.accepted());
            }
        } catch (Exception e) {
            LOG.warn("ingesting {} failed: {}", state.url(), e.getMessage());
            try {
                save(repos.get(id).with("failed", e.getMessage()));
            } catch (RuntimeException unsaved) {
                // The topic keeps the unfinished state, so the next start ingests this repository again.
                LOG.warn("cannot record the failure of {}: {}", state.url(), unsaved.getMessage());
            }
        }
    }

    /**
     * Publishes a deletion for each deleted file the cleaning stage would have looked at, naming the
     * content hash it had, so the dedup stage can forget that content.
     */
    private long publishDeletions(GitChanges changes) throws IOException {
        Cleaner cleaner = new Cleaner(cleaning);
        AtomicLong deleted = new AtomicLong();
        git.deletedFiles(changes).read(new SourceListener() {
            @Override public boolean wants(String path) { return cleaner.wants(path); }

            @Override public int maxBytes() { return cleaning.maxBytes(); }

            @Override public void onFile(CandidateFile file) {
                publisher.deleted(file.source(), file.path(), contentHash(file));
                deleted.incrementAndGet();
            }

            @Override public void onRejected(Rejection neverPublished) {
                // a symlink or an oversize file was never published, so there is nothing to take back
            }
        });
        return deleted.get();
    }

    private static String contentHash(CandidateFile file) {
        try {
            return DecodedFile.decode(file).contentHash();
        } catch (CharacterCodingException notText) {
            return null; // never published either; the deletion is harmless
        }
    }

    /** The in-memory state first (what GET /repos shows), then the topic; throws if Kafka does not take it. */
    private synchronized void save(RepoState state) {
        repos.put(state.id(), state);
        stateTopic.save(state);
    }

    @Override
    public void close() throws InterruptedException {
        poller.shutdownNow();
        worker.shutdownNow();
        // An ingest cut short records nothing more; the topic's unfinished state makes the next start redo it.
        worker.awaitTermination(10, TimeUnit.SECONDS);
    }
}
