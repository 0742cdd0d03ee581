package dev.streamparrot.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CodeParrot experiment at stdlib scale: a 32,768-token vocab learned from Python code. */
class StdlibTrainingTest {
    @Test
    void learnsPythonKeywordsAsSingleTokensAndAboutFourCharsPerToken() throws IOException {
        List<Path> files = TestData.stdlibTrainingFiles();
        long start = System.nanoTime();
        Tokenizer tokenizer = new BpeTrainer(BpeTrainer.Config.byteLevel(32768), BpeTrainer.Progress.NONE).train(Corpus.read(files));
        double seconds = (System.nanoTime() - start) / 1e9;
        TokenizerReport report = TokenizerReport.measure(tokenizer, Corpus.read(files));
        System.out.printf("trained on %d files (%.1f MB) in %.1f s%n%s", files.size(), Corpus.totalBytes(files) / 1e6, seconds, report.toText());

        assertEquals(32768, tokenizer.vocabSize());
        assertTrue(report.keywordsNotSingleTokens().stream().allMatch(k -> k.equals("nonlocal")), report.keywordsNotSingleTokens().toString());
        // HF tokenizers gives 4.13 chars per token on this corpus
        assertTrue(report.charsPerToken() > 3.8 && report.charsPerToken() < 4.5, "chars per token " + report.charsPerToken());
    }
}
