package dev.streamparrot.inference.testing;

import dev.streamparrot.model.Checkpoint;
import dev.streamparrot.model.Gpt;
import dev.streamparrot.model.GptConfig;
import dev.streamparrot.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A randomly initialised GPT-2 saved as a checkpoint directory the way the trainer writes one
 * (model.safetensors, config.json, generation_config.json) plus GPT-2's own tokenizer.json.
 * Random weights make random code, but every path the service takes is the real one.
 */
public final class TinyCheckpoint {
    private static Tokenizer gpt2;

    private TinyCheckpoint() {}

    /** GPT-2's tokenizer (its files are in the test resources, with their license). */
    public static synchronized Tokenizer gpt2Tokenizer() {
        if (gpt2 == null) {
            try {
                Path dir = Files.createTempDirectory("gpt2-tokenizer");
                for (String f : new String[] {"encoder.json", "vocab.bpe"}) {
                    try (InputStream in = TinyCheckpoint.class.getResourceAsStream("/gpt2/" + f)) {
                        Files.copy(in, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                gpt2 = Tokenizer.fromGpt2Files(dir.resolve("encoder.json"), dir.resolve("vocab.bpe"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return gpt2;
    }

    /** 2 layers of width 64 over GPT-2's vocabulary, {@code positions} long. */
    public static GptConfig tinyConfig(int positions) {
        return GptConfig.of(gpt2Tokenizer().vocabSize(), positions, 64, 2, 2).withDropout(0);
    }

    /** Writes a checkpoint of {@code config} with weights drawn from {@code seed} into {@code dir}; returns dir. */
    public static Path write(Path dir, GptConfig config, long seed) {
        try {
            Files.createDirectories(dir);
            try (Gpt gpt = Gpt.create(config, seed)) {
                gpt.save(dir);
            }
            gpt2Tokenizer().save(dir.resolve(Checkpoint.TOKENIZER_FILE));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String sha256(Path dir) {
        return new Checkpoint(dir).weightsSha256();
    }
}
