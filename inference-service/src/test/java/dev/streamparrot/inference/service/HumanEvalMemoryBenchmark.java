package dev.streamparrot.inference.service;

import dev.streamparrot.model.generate.TokenizerCodec;
import dev.streamparrot.model.generate.GptLanguageModel;
import dev.streamparrot.model.generate.GenerationParams;
import dev.streamparrot.inference.humaneval.HumanEvalProblem;
import dev.streamparrot.inference.humaneval.ProblemDoesNotFitException;
import dev.streamparrot.inference.testing.TinyCheckpoint;
import dev.streamparrot.model.Gpt;
import dev.streamparrot.model.GptConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Native memory and time of a HumanEval job's generation path: HumanEval's problems through the job's engine on
 * the decode loop, on the local cluster's model shape (cpu-tiny-512, untrained, GPT-2's tokenizer), n = 1 and
 * CodeParrot's settings. Prints the process's RSS, the model's live arrays and the time after each problem.
 * An untrained model rarely stops early, so each problem takes its full 256 new tokens: the slow case.
 *
 * <p>{@code mvn -B -o -pl inference-service -am verify -Pbenchmarks -Dtest=HumanEvalMemoryBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false [-Dbenchmark.problems=164]}
 */
@Tag("benchmark")
class HumanEvalMemoryBenchmark {

    @Test
    void rssAndTimePerProblem() throws IOException {
        int limit = Integer.getInteger("benchmark.problems", 40);
        List<HumanEvalProblem> problems = HumanEvalProblem.bundled();
        problems = problems.subList(0, Math.min(limit, problems.size()));
        GptConfig config = GptConfig.preset("cpu-tiny-512", TinyCheckpoint.gpt2Tokenizer().vocabSize()).withDropout(0);
        try (Gpt gpt = Gpt.create(config, 1);
             DecodeLoop loop = new DecodeLoop(new InferenceMetrics(new SimpleMeterRegistry()))) {
            LoadedModel model = new LoadedModel("bench", new GptLanguageModel(gpt),
                    new TokenizerCodec(TinyCheckpoint.gpt2Tokenizer()), () -> { });
            model.acquire();
            LoopCompletionEngine engine = new LoopCompletionEngine(loop, model, GenerationParams.HUMANEVAL);
            long start = System.nanoTime();
            int done = 0;
            System.out.printf("start: rss %d MB, live arrays %d%n", rssMb(), gpt.liveArrays());
            for (HumanEvalProblem problem : problems) {
                try {
                    engine.complete(problem, 1);
                    done++;
                } catch (ProblemDoesNotFitException skipped) {
                    continue;
                }
                System.out.printf("%s: rss %d MB, live arrays %d, %.1f s so far (%d problems)%n", problem.taskId(),
                        rssMb(), gpt.liveArrays(), (System.nanoTime() - start) / 1e9, done);
            }
            System.out.printf("%d problems generated in %.1f s%n", done, (System.nanoTime() - start) / 1e9);
            model.release();
        }
    }

    /** This process's resident set (heap and native), from /proc; -1 where there is no /proc. */
    private static long rssMb() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) return -1;
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
        }
        return -1;
    }
}
