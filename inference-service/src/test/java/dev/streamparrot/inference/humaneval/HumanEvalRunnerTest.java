package dev.streamparrot.inference.humaneval;

import dev.streamparrot.model.generate.GenerationParams;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamparrot.inference.api.CompletionService;
import dev.streamparrot.model.generate.SamplingParams;
import dev.streamparrot.model.generate.StopSequences;
import dev.streamparrot.model.generate.ByteCodec;
import dev.streamparrot.inference.testing.FakeModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HumanEvalRunnerTest {
    private static final List<HumanEvalProblem> PROBLEMS = HumanEvalProblem.bundled();
    private static final Sandbox SANDBOX = new Sandbox();
    private static final HumanEvalRunner RUNNER = new HumanEvalRunner(SANDBOX, 2);

    @Test
    void theBundledSetIsAll164Problems() {
        assertEquals(164, PROBLEMS.size());
        Set<String> ids = new HashSet<>();
        for (HumanEvalProblem p : PROBLEMS) {
            assertTrue(ids.add(p.taskId()));
            assertTrue(p.test().contains("def check("), p.taskId());
            assertTrue(p.prompt().contains("def " + p.entryPoint()), p.taskId());
        }
        assertEquals("HumanEval/163", PROBLEMS.get(163).taskId());
    }

    @Test
    void canonicalSolutionsAllPassAndFilesFollowHumanEval(@TempDir Path dir) throws Exception {
        Path samples = dir.resolve("samples.jsonl");
        AtomicInteger checked = new AtomicInteger();
        HumanEvalRunner.Report report = RUNNER.run(PROBLEMS, CompletionEngine.CANONICAL, 1, samples, r -> checked.incrementAndGet());
        List<String> failures = report.samples().stream().filter(s -> !s.result().passed())
                .map(s -> s.taskId() + ": " + s.result().reason()).toList();
        assertEquals(List.of(), failures);
        assertEquals(164, report.passed());
        assertEquals(Map.of(1, 1.0), report.passAtK());
        assertEquals(164, checked.get());

        ObjectMapper json = new ObjectMapper();
        List<String> sampleLines = Files.readAllLines(samples, StandardCharsets.UTF_8);
        assertEquals(164, sampleLines.size());
        JsonNode first = json.readTree(sampleLines.get(0));
        assertEquals(List.of("task_id", "completion"), List.copyOf(iterable(first)));
        assertEquals(PROBLEMS.get(0).canonicalSolution(), first.get("completion").asText());
        List<String> resultLines = Files.readAllLines(dir.resolve("samples.jsonl_results.jsonl"), StandardCharsets.UTF_8);
        assertEquals(164, resultLines.size());
        JsonNode result = json.readTree(resultLines.get(5));
        assertEquals(List.of("task_id", "completion", "result", "passed", "isolation", "sandbox_failure"), iterable(result));
        assertEquals("passed", result.get("result").asText());
        assertTrue(result.get("passed").asBoolean());
        assertEquals(SANDBOX.isolation().label(), result.get("isolation").asText());
        assertFalse(result.get("sandbox_failure").asBoolean());
        assertEquals(List.of(SANDBOX.isolation().label()), report.isolation());
        assertEquals(0, report.sandboxFailures());
    }

    private static List<String> iterable(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void emptyCompletionsAllFail() throws Exception {
        HumanEvalRunner.Report report = RUNNER.run(PROBLEMS, (p, n) -> Collections.nCopies(n, ""), 1, null, r -> { });
        assertEquals(0, report.passed());
        assertEquals(0.0, report.passAtK().get(1));
    }

    @Test
    void hostileSamplesFailAndTheRunCarriesOn() throws Exception {
        HumanEvalProblem first = PROBLEMS.get(0);
        List<String> completions = List.of(
                "    while True:\n        pass\n",
                "    import os\n    while True:\n        os.fork()\n",
                "    x = bytearray(10 * 1024 ** 3)\n    return False\n",
                "    import os\n    os.kill(os.getppid(), 9)\n    return False\n",
                first.canonicalSolution());
        HumanEvalRunner.Report report = RUNNER.run(List.of(first, PROBLEMS.get(1)), (p, n) -> p == first ? completions
                : Collections.nCopies(n, p.canonicalSolution()), 5, null, r -> { });
        List<Boolean> passed = report.samples().stream().map(s -> s.result().passed()).toList();
        assertEquals(List.of(false, false, false, false, true, true, true, true, true, true), passed);
        // pass@1 = mean(1/5, 5/5); pass@k for k = 10 needs n >= 10, so it is not reported
        assertEquals(Map.of(1, (0.2 + 1.0) / 2), report.passAtK());
        assertEquals(4, report.modelFailures() + report.sandboxFailures());
        // without namespaces the sample that kills its parent kills the launcher, which cannot be told from the host doing it
        if (SANDBOX.isolation() == Sandbox.Isolation.NAMESPACES) assertEquals(0, report.sandboxFailures());
    }

    @Test
    void theModelEngineAsksTheServiceForCodeParrotStyleSamples() {
        byte[] body = "    return True\n\ndef other():".getBytes(StandardCharsets.UTF_8);
        int[] script = new int[body.length];
        for (int i = 0; i < body.length; i++) script[i] = body[i] & 0xFF;
        CompletionService service = new CompletionService(FakeModel.spelling(2048, script), new ByteCodec(), "fake", "fp-fake");
        GenerationParams settings = new GenerationParams(new SamplingParams(0.2, 0.95, 0), 64, StopSequences.CODE_FIRST_BLOCK, 1L, -1);
        List<String> completions = new ModelCompletionEngine(service, settings).complete(PROBLEMS.get(0), 3);
        assertEquals(List.of("    return True\n", "    return True\n", "    return True\n"), completions);
        assertFalse(PROBLEMS.get(0).program(completions.get(0)).isEmpty());
    }

    @Test
    void problemsThatDoNotFitTheContextAreLeftOutAndCountedNotFatal() throws Exception {
        List<HumanEvalProblem> six = PROBLEMS.subList(0, 6);
        int maxTokens = 16;
        // the context between the shortest and the longest prompt (one token per byte), so some fit and some do not
        int[] lengths = six.stream().mapToInt(p -> p.prompt().strip().getBytes(StandardCharsets.UTF_8).length).toArray();
        int context = (java.util.Arrays.stream(lengths).min().orElseThrow() + java.util.Arrays.stream(lengths).max().orElseThrow()) / 2
                + maxTokens;
        List<String> tooLong = new java.util.ArrayList<>();
        for (int i = 0; i < six.size(); i++) if (lengths[i] + maxTokens > context) tooLong.add(six.get(i).taskId());
        assertFalse(tooLong.isEmpty());
        assertTrue(tooLong.size() < six.size());

        CompletionService service = new CompletionService(FakeModel.noisy(context), new ByteCodec(), "fake", "fp-fake");
        GenerationParams settings = new GenerationParams(new SamplingParams(0.2, 0.95, 0), maxTokens, StopSequences.CODE_FIRST_BLOCK, 1L, -1);
        List<String> toldSkipped = Collections.synchronizedList(new java.util.ArrayList<>());
        HumanEvalRunner.Report report = RUNNER.run(six, new ModelCompletionEngine(service, settings), 1, null, r -> { }, toldSkipped::add);
        assertEquals(tooLong, report.skipped());
        assertEquals(tooLong, toldSkipped);
        assertEquals(six.size() - tooLong.size(), report.problems(), "every problem that fits is scored");
        assertEquals(Set.of(1), report.passAtK().keySet(), "pass@1 over the problems scored");
    }
}
