package dev.streamparrot.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TokenizerReportTest {
    @Test
    void countsWordsTokensAndContinuedWords() {
        // pieces: "hello" | " world" | " say" "_" "hello" "()" : 3 words, 1 + 1 + 4 tokens
        String text = "hello world say_hello()";
        TokenizerReport r = TokenizerReport.measure(TestData.gpt2(), List.of(text).iterator());
        assertEquals(6, r.tokens());
        assertEquals(3, r.words());
        assertEquals(2.0, r.fertility(), 1e-9);
        assertEquals(1.0 / 3, r.continuedWords(), 1e-9);
        assertEquals(23.0 / 6, r.charsPerToken(), 1e-9);
        // GPT-2 learned English, not Python: "nonlocal" and "elif" are split, "def" and "return" are not
        assertTrue(r.keywordsNotSingleTokens().containsAll(List.of("nonlocal", "elif")), r.keywordsNotSingleTokens().toString());
        assertTrue(r.keywordsNotSingleTokens().stream().noneMatch(k -> List.of("def", "return", "class", "import").contains(k)));
        assertEquals(50257 - 5, r.unusedTokens()); // hello, Ġworld, Ġsay, _, () are used
        assertTrue(r.toText().contains("chars per token:        3.83"), r.toText());
    }

    @Test
    void cliTrainsReportsAndEncodes(@TempDir Path dir) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("a.py"), TestData.HELLO.repeat(3));
        Files.createDirectories(src.resolve("tests"));
        Files.writeString(src.resolve("tests/test_a.py"), "import unittest\n");
        Path out = dir.resolve("tokenizer.json");
        String report = run("train", "--input", src.toString(), "--skip-tests", "--vocab-size", "300", "--output", out.toString());
        assertTrue(report.contains("corpus: 1 documents"), report);
        Tokenizer trained = Tokenizer.fromFile(out);
        assertTrue(trained.vocabSize() > 257 && trained.vocabSize() <= 300, "vocab " + trained.vocabSize()); // may run out of pairs
        assertTrue(run("report", "--tokenizer", out.toString(), "--input", src.toString()).contains("corpus: 2 documents"));
        String encoded = run("encode", "--tokenizer", out.toString(), "say_hello()");
        assertTrue(encoded.contains(java.util.Arrays.toString(trained.encode("say_hello()"))), encoded);
    }

    private static String run(String... args) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, new CommandLine(new TokenizerCli()).execute(args));
        } finally {
            System.setOut(old);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
