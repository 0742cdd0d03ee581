package dev.streamparrot.inference.humaneval;

import dev.streamparrot.inference.sampling.SamplingParams;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code humaneval}: scores a model (or, with --canonical, the reference solutions) on HumanEval.
 * The model is plugged in by whoever owns it: {@code new CommandLine(new HumanEvalCli(factory)).execute(args)}.
 */
@Command(name = "humaneval", mixinStandardHelpOptions = true,
        description = "Sample completions for HumanEval, check them in a sandbox, report pass@k.")
public final class HumanEvalCli implements Callable<Integer> {

    /** Builds the completion engine for a model directory or checkpoint named by --model. */
    @FunctionalInterface
    public interface EngineFactory {
        CompletionEngine create(Path model, GenerationSettings settings) throws Exception;
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

    @Option(names = "--parallelism", defaultValue = "2", description = "Sandboxed checks at once. Default: ${DEFAULT-VALUE}")
    int parallelism;

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
        GenerationSettings settings = new GenerationSettings(new SamplingParams(temperature, topP, 0), maxNewTokens,
                GenerationSettings.CODEPARROT.stop(), seed);
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
                sandbox.isolation());
        ProgressBar progress = new ProgressBar("checked", (long) problems.size() * n);
        HumanEvalRunner.Report report = new HumanEvalRunner(sandbox, parallelism)
                .run(problems, engine, n, samplesOut, result -> progress.step());
        progress.finish();
        System.out.printf("%d/%d samples passed%n", report.passed(), report.samples().size());
        for (Map.Entry<Integer, Double> e : report.passAtK().entrySet()) {
            System.out.printf("pass@%d = %.4f%n", e.getKey(), e.getValue());
        }
        System.out.println("samples: " + samplesOut + ", results: " + samplesOut + "_results.jsonl");
        return 0;
    }
}
