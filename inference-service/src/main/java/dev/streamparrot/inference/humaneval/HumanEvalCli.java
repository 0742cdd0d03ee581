package dev.streamparrot.inference.humaneval;

import dev.streamparrot.model.generate.GenerationParams;
import dev.streamparrot.model.generate.SamplingParams;
import dev.streamparrot.tokenizer.ProgressBar;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code humaneval}: scores a model (or, with --canonical, the reference solutions) on HumanEval;
 * {@code humaneval evaluate SAMPLES.jsonl} scores an existing samples file from any model.
 * The model is plugged in by whoever owns it: {@code new CommandLine(new HumanEvalCli(factory)).execute(args)}.
 * Exit status: 0 done, 1 some samples could not be judged (sandbox failures), 2 bad input.
 */
@Command(name = "humaneval", mixinStandardHelpOptions = true, subcommands = HumanEvalCli.Evaluate.class,
        description = "Sample completions for HumanEval, check them in a sandbox, report pass@k.")
public final class HumanEvalCli implements Callable<Integer> {

    /** Builds the completion engine for a model directory or checkpoint named by --model. */
    @FunctionalInterface
    public interface EngineFactory {
        CompletionEngine create(Path model, GenerationParams settings) throws Exception;
    }

    @Option(names = "--model", description = "Model to evaluate (passed to the engine factory).")
    Path model;

    @Option(names = "--canonical", description = "Use the canonical solutions instead of a model (checks the sandbox).")
    boolean canonical;

    @Option(names = "--samples-out", defaultValue = "humaneval_samples.jsonl",
            description = "Samples JSONL; results go to <file>_results.jsonl. Default: ${DEFAULT-VALUE}")
    Path samplesOut;

    @Option(names = "--n", defaultValue = "1", description = "Samples per problem. Default: ${DEFAULT-VALUE}")
    int n;

    @Option(names = "--temperature", defaultValue = "0.2", description = "Default: ${DEFAULT-VALUE}")
    double temperature;

    @Option(names = "--top-p", defaultValue = "0.95", description = "Default: ${DEFAULT-VALUE}")
    double topP;

    @Option(names = "--max-new-tokens", defaultValue = "256", description = "Default: ${DEFAULT-VALUE}")
    int maxNewTokens;

    @Option(names = "--seed", description = "Seed for sampling (random if unset).")
    Long seed;

    @Option(names = "--limit", defaultValue = "0", description = "Only the first N problems (0 = all 164).")
    int limit;

    @Mixin
    SandboxOptions sandboxOptions;

    private final EngineFactory engineFactory;

    /** @param engineFactory null when no model is available: then only --canonical works */
    public HumanEvalCli(EngineFactory engineFactory) {
        this.engineFactory = engineFactory;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new HumanEvalCli(null)).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        GenerationParams settings = new GenerationParams(new SamplingParams(temperature, topP, 0), maxNewTokens,
                GenerationParams.HUMANEVAL.stop(), seed, -1);
        CompletionEngine engine;
        if (canonical) {
            engine = CompletionEngine.CANONICAL;
        } else if (engineFactory == null || model == null) {
            System.err.println("humaneval: give --model (with a model engine plugged in) or --canonical");
            return 2;
        } else {
            engine = engineFactory.create(model, settings);
        }
        List<HumanEvalProblem> problems = HumanEvalProblem.bundled();
        if (limit > 0) problems = problems.subList(0, Math.min(limit, problems.size()));
        Sandbox sandbox = new Sandbox();
        System.err.printf("humaneval: %d problems x %d samples, sandbox isolation %s%n", problems.size(), n,
                sandbox.isolation().label());
        ProgressBar progress = new ProgressBar(System.err);
        HumanEvalRunner.Report report = new HumanEvalRunner(sandbox, sandboxOptions.parallelism)
                .run(problems, engine, n, samplesOut, checked(progress, (long) problems.size() * n));
        progress.finish();
        System.out.println("samples: " + samplesOut);
        return summarize(report, HumanEvalRunner.resultsFile(samplesOut));
    }

    /** Counts checked samples (from several sandbox threads) on the progress bar. */
    static <T> Consumer<T> checked(ProgressBar progress, long total) {
        AtomicLong done = new AtomicLong();
        return result -> progress.update("checked", done.incrementAndGet(), total);
    }

    /** Prints pass@k and the failures, the model's apart from the sandbox's; the exit status. */
    static int summarize(HumanEvalRunner.Report report, Path results) {
        System.out.printf("%d/%d samples passed (%d problems); failed: %d by the model, %d sandbox failures; isolation: %s%n",
                report.passed(), report.samples().size(), report.problems(), report.modelFailures(),
                report.sandboxFailures(), String.join(", ", report.isolation()));
        if (!report.skipped().isEmpty()) {
            System.out.printf("%d problems left out: prompt and max tokens do not fit the model's context (pass@k is over the %d scored)%n",
                    report.skipped().size(), report.problems());
        }
        for (Map.Entry<Integer, Double> e : report.passAtK().entrySet()) {
            System.out.printf("pass@%d = %.4f%n", e.getKey(), e.getValue());
        }
        System.out.println("results: " + results);
        if (report.sandboxFailures() == 0) return 0;
        String example = report.samples().stream().filter(s -> s.result().sandboxFailure()).findFirst()
                .map(s -> s.taskId() + ": " + s.result().reason()).orElseThrow();
        System.err.printf("humaneval: %d samples were not judged because the sandbox failed (e.g. %s); pass@k counts them"
                + " as failed, so it is a lower bound: fix the sandbox and run again%n", report.sandboxFailures(), example);
        return 1;
    }

    /** How both commands check samples. */
    static final class SandboxOptions {
        @Option(names = "--parallelism", defaultValue = "2", description = "Sandboxed checks at once. Default: ${DEFAULT-VALUE}")
        int parallelism;
    }

    /** {@code humaneval evaluate SAMPLES.jsonl}: human-eval's {@code evaluate_functional_correctness}. */
    @Command(name = "evaluate", mixinStandardHelpOptions = true,
            description = {"Check a samples file (JSON Lines of {\"task_id\", \"completion\"}, from any model) in the sandbox;",
                    "write <file>_results.jsonl and report pass@k for k in {1, 10, 100} that the sample counts allow."})
    static final class Evaluate implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SAMPLES.jsonl", description = "human-eval samples (.gz too)")
        Path samples;

        @Option(names = "--problem-file", description = "HumanEval problems as JSON Lines (.gz too). Default: the bundled 164")
        Path problemFile;

        @Mixin
        SandboxOptions sandboxOptions;

        @Override
        public Integer call() throws Exception {
            List<HumanEvalSample> read;
            try {
                read = HumanEvalSample.read(samples, problemFile == null ? HumanEvalProblem.bundled() : HumanEvalProblem.load(problemFile));
            } catch (IllegalArgumentException | java.io.IOException e) {
                System.err.println("humaneval evaluate: " + e.getMessage());
                return 2;
            }
            Sandbox sandbox = new Sandbox();
            System.err.printf("humaneval evaluate: %d samples, sandbox isolation %s%n", read.size(), sandbox.isolation().label());
            ProgressBar progress = new ProgressBar(System.err);
            Path results = HumanEvalRunner.resultsFile(samples);
            HumanEvalRunner.Report report = new HumanEvalRunner(sandbox, sandboxOptions.parallelism).evaluate(read, results, checked(progress, read.size()));
            progress.finish();
            return summarize(report, results);
        }
    }
}
