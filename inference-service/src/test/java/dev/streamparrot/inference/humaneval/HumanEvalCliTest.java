package dev.streamparrot.inference.humaneval;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        GenerationSettings settings = (GenerationSettings) seen.get(1);
        assertEquals(0.8, settings.sampling().temperature());
        assertEquals(0.9, settings.sampling().topP());
        assertEquals(64, settings.maxNewTokens());
        assertEquals(5L, settings.seed());
        assertEquals(GenerationSettings.CODEPARROT.stop(), settings.stop());
    }

    @Test
    void withoutAModelOrCanonicalItRefuses() {
        assertEquals(2, new CommandLine(new HumanEvalCli(null)).execute("--limit", "1"));
    }
}
