package dev.streamparrot.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HF tokenizers itself (Rust, through DJL) is the reference: same ids, and it loads what we save. */
class HfParityTest {
    /** HF's tokenizer for our saved file, told not to truncate, pad or add special tokens. */
    static HuggingFaceTokenizer hf(Path tokenizerJson) throws IOException {
        return HuggingFaceTokenizer.builder()
                .optTokenizerPath(tokenizerJson)
                .optAddSpecialTokens(false)
                .optTruncation(false)
                .optPadding(false)
                .build();
    }

    static int[] hfIds(HuggingFaceTokenizer hf, String text) {
        return Arrays.stream(hf.encode(text, false, false).getIds()).mapToInt(id -> (int) id).toArray();
    }

    @Test
    void gpt2GivesHfsIdsOnHundredsOfStdlibFiles(@TempDir Path dir) throws IOException {
        Tokenizer gpt2 = TestData.gpt2();
        Path file = dir.resolve("tokenizer.json");
        gpt2.save(file);
        try (HuggingFaceTokenizer hf = hf(file)) {
            assertEquals(List.of("def", "Ġsay", "_", "hello", "():"), Arrays.asList(hf.encode(TestData.HELLO, false, false).getTokens()).subList(0, 5));
            // HF through DJL runs at about 0.2 MB/s here (some 7 µs per char), so files under 12 KB keep this quick.
            List<Path> small = new ArrayList<>();
            for (Path f : TestData.stdlibFiles()) if (java.nio.file.Files.size(f) < 12_000) small.add(f);
            List<Path> files = everyNth(small, 300);
            for (Path f : files) {
                String text = Corpus.readText(f);
                assertArrayEquals(hfIds(hf, text), gpt2.encode(text), () -> "ids of " + f);
            }
            Random random = new Random(3);
            for (int i = 0; i < 300; i++) {
                String text = TestData.randomText(random, 1 + random.nextInt(100));
                assertArrayEquals(hfIds(hf, text), gpt2.encode(text), () -> "ids of " + text);
                assertEquals(hf.decode(hf.encode(text, false, false).getIds(), false), gpt2.decode(gpt2.encode(text)));
            }
        }
    }

    @Test
    void hfLoadsATokenizerWeTrainedAndEncodesAsWeDo(@TempDir Path dir) throws IOException {
        List<Path> files = TestData.stdlibTrainingFiles();
        List<Path> train = everyNth(files, 60), check = everyNth(files.subList(1, files.size()), 40);
        Tokenizer trained = new BpeTrainer(BpeTrainer.Config.byteLevel(3000), BpeTrainer.Progress.NONE).train(Corpus.read(train));
        Path file = dir.resolve("tokenizer.json");
        trained.save(file);
        try (HuggingFaceTokenizer hf = hf(file)) {
            for (Path f : check) {
                String text = Corpus.readText(f) + Tokenizer.END_OF_TEXT;
                assertArrayEquals(hfIds(hf, text), trained.encode(text), () -> "ids of " + f);
            }
        }
    }

    static List<Path> everyNth(List<Path> files, int count) {
        List<Path> picked = new ArrayList<>();
        int step = Math.max(1, files.size() / count);
        for (int i = 0; i < files.size() && picked.size() < count; i += step) picked.add(files.get(i));
        return picked;
    }
}
