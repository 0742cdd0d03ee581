package dev.streamparrot.inference.humaneval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * Runs HumanEval: n completions per problem, each checked in the sandbox, then pass@k.
 * Generation is sequential (one model); checks run on {@code parallelism} threads meanwhile.
 * Files follow human-eval: samples as {@code {"task_id", "completion"}} lines, results beside
 * them in {@code <samples>_results.jsonl} with {@code "result"} and {@code "passed"} added.
 */
public final class HumanEvalRunner {

    public record SampleResult(String taskId, String completion, SandboxResult result) {}

    /** @param passAtK k to mean pass@k over problems, for k in {1, 10, 100} up to n */
    public record Report(List<SampleResult> samples, Map<Integer, Double> passAtK) {
        public long passed() {
            return samples.stream().filter(s -> s.result().passed()).count();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Sandbox sandbox;
    private final int parallelism;

    public HumanEvalRunner(Sandbox sandbox, int parallelism) {
        this.sandbox = sandbox;
        this.parallelism = parallelism;
    }

    /**
     * @param samplesOut where to write the samples JSONL (and the results beside it), or null for no files
     * @param onChecked  called (from checker threads) as each sample's check ends: progress reporting
     */
    public Report run(List<HumanEvalProblem> problems, CompletionEngine engine, int n, Path samplesOut,
                      Consumer<SampleResult> onChecked) throws IOException {
        ExecutorService checkers = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "humaneval-check");
            t.setDaemon(true);
            return t;
        });
        List<Future<SampleResult>> checks = new ArrayList<>();
        try (BufferedWriter samples = samplesOut == null ? null : Files.newBufferedWriter(samplesOut, StandardCharsets.UTF_8)) {
            for (HumanEvalProblem problem : problems) {
                List<String> completions = engine.complete(problem, n);
                if (completions.size() != n) {
                    throw new IllegalStateException("engine returned " + completions.size() + " completions, expected " + n);
                }
                for (String completion : completions) {
                    if (samples != null) samples.write(sampleLine(problem.taskId(), completion).toString() + "\n");
                    checks.add(checkers.submit(() -> {
                        SampleResult result = new SampleResult(problem.taskId(), completion, sandbox.run(problem.program(completion)));
                        onChecked.accept(result);
                        return result;
                    }));
                }
            }
            if (samples != null) samples.flush();
            List<SampleResult> results = new ArrayList<>();
            for (Future<SampleResult> check : checks) results.add(check.get());
            if (samplesOut != null) writeResults(Path.of(samplesOut + "_results.jsonl"), results);
            return new Report(results, PassAtK.report(tallies(results)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a sandbox check failed to run", e.getCause());
        } finally {
            checkers.shutdownNow();
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

    private static ObjectNode sampleLine(String taskId, String completion) {
        ObjectNode line = JSON.createObjectNode();
        line.put("task_id", taskId);
        line.put("completion", completion);
        return line;
    }

    private static void writeResults(Path path, List<SampleResult> results) {
        try (BufferedWriter out = Files.newBufferedWriter(path, StandardCharsets.UTF_8)) {
            for (SampleResult r : results) {
                ObjectNode line = sampleLine(r.taskId(), r.completion());
                line.put("result", r.result().reason());
                line.put("passed", r.result().passed());
                out.write(line.toString() + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
