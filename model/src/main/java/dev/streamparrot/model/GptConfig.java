package dev.streamparrot.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * GPT-2 hyper-parameters, named and serialised like Hugging Face's {@code GPT2Config} so that a
 * {@code config.json} written here loads in {@code transformers} and vice versa ({@link HfConfigJson} holds the
 * format, {@link GptCost} the parameter and FLOP counts).
 *
 * <p>Only what our {@link Gpt} implements is representable: MLP width 4·n_embd, activation gelu_new,
 * tied LM head. Reading a config that asks for something else fails instead of silently differing.
 */
public record GptConfig(
        int vocabSize,
        int nPositions,
        int nEmbd,
        int nLayer,
        int nHead,
        String activationFunction,
        double residPdrop,
        double embdPdrop,
        double attnPdrop,
        double layerNormEpsilon,
        double initializerRange,
        int bosTokenId,
        int eosTokenId,
        boolean tieWordEmbeddings) {

    public static final String CONFIG_FILE = "config.json";
    public static final String GENERATION_CONFIG_FILE = "generation_config.json";

    /** Names accepted by {@link #preset}; the CPU presets take their vocabulary size from the tokenizer. */
    public static final List<String> PRESETS = List.of("gpt2", "codeparrot-small", "codeparrot", "cpu-tiny", "cpu-small", "cpu-tiny-512");

    public GptConfig {
        if (vocabSize <= 0 || nPositions <= 0 || nLayer <= 0 || nHead <= 0 || nEmbd <= 0) {
            throw new IllegalArgumentException("sizes must be positive");
        }
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException("n_embd " + nEmbd + " is not a multiple of n_head " + nHead);
        }
        if (!"gelu_new".equals(activationFunction)) {
            throw new IllegalArgumentException("only activation_function gelu_new is implemented, got " + activationFunction);
        }
        if (!tieWordEmbeddings) {
            throw new IllegalArgumentException("only tied word embeddings are implemented (GPT2LMHeadModel default)");
        }
    }

    /** GPT-2 defaults (the 124M model) with another size; dropout 0.1, eps 1e-5, init std 0.02 as HF. */
    public static GptConfig of(int vocabSize, int nPositions, int nEmbd, int nLayer, int nHead) {
        int eos = vocabSize - 1; // HF's gpt2: bos = eos = <|endoftext|> = the last id
        return new GptConfig(vocabSize, nPositions, nEmbd, nLayer, nHead, "gelu_new", 0.1, 0.1, 0.1, 1e-5, 0.02,
                eos, eos, true);
    }

    /**
     * A named configuration. {@code vocabSize} is used by every preset except {@code gpt2}, whose
     * vocabulary is GPT-2's own 50257 tokens; the book's CodeParrot models use a 32768-token tokenizer.
     */
    public static GptConfig preset(String name, int vocabSize) {
        return switch (name) {
            case "gpt2" -> of(50257, 1024, 768, 12, 12);
            case "codeparrot-small" -> of(vocabSize, 1024, 768, 12, 12);
            case "codeparrot" -> of(vocabSize, 1024, 1600, 48, 25); // gpt2-xl shape
            case "cpu-tiny" -> of(vocabSize, 128, 128, 2, 4);
            case "cpu-small" -> of(vocabSize, 256, 256, 4, 4);
            // cpu-tiny with the 512-token context that HumanEval needs (153 of 164 prompts fit with 256 new tokens):
            // the local cluster's model, since the extra positions and attention cost ~10% of cpu-tiny's speed
            case "cpu-tiny-512" -> of(vocabSize, 512, 128, 2, 4);
            default -> throw new IllegalArgumentException("unknown preset " + name + ", known: " + PRESETS);
        };
    }

    public int headDim() {
        return nEmbd / nHead;
    }

    public GptConfig withVocabSize(int v) {
        return new GptConfig(v, nPositions, nEmbd, nLayer, nHead, activationFunction, residPdrop, embdPdrop, attnPdrop,
                layerNormEpsilon, initializerRange, Math.min(bosTokenId, v - 1), Math.min(eosTokenId, v - 1), tieWordEmbeddings);
    }

    /** Same model with every dropout probability set to p (0 makes training deterministic given the data). */
    public GptConfig withDropout(double p) {
        return new GptConfig(vocabSize, nPositions, nEmbd, nLayer, nHead, activationFunction, p, p, p,
                layerNormEpsilon, initializerRange, bosTokenId, eosTokenId, tieWordEmbeddings);
    }

    public GptConfig withSpecialTokens(int bos, int eos) {
        return new GptConfig(vocabSize, nPositions, nEmbd, nLayer, nHead, activationFunction, residPdrop, embdPdrop,
                attnPdrop, layerNormEpsilon, initializerRange, bos, eos, tieWordEmbeddings);
    }

    /** Writes config.json and generation_config.json into dir, in HF's format ({@link HfConfigJson}). */
    public void save(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(CONFIG_FILE), HfConfigJson.config(this), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(GENERATION_CONFIG_FILE), HfConfigJson.generationConfig(this), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads dir/config.json (a directory) or the given file. */
    public static GptConfig load(Path dirOrFile) {
        Path f = Files.isDirectory(dirOrFile) ? dirOrFile.resolve(CONFIG_FILE) : dirOrFile;
        try {
            return HfConfigJson.parse(Files.readString(f, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
