package dev.streamparrot.model.generate;

import dev.streamparrot.model.Gpt;
import dev.streamparrot.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A short greedy completion of a fixed prompt by a model in training: the trainer writes one to TensorBoard at
 * every checkpoint, so a run shows what its model writes and not only its loss. Greedy, so two checkpoints'
 * samples differ only because the weights do.
 */
public final class CheckpointSample {
    public static final String PROMPT = "def fibonacci(n):";
    public static final int MAX_TOKENS = 32;

    private final GptLanguageModel model;
    private final TextCodec codec;

    /** One per model: the language model keeps a cache for the model's whole life. */
    public CheckpointSample(Gpt gpt, TextCodec codec) {
        this.model = new GptLanguageModel(gpt);
        this.codec = codec;
    }

    /** For a model trained with the tokenizer in this {@code tokenizer.json}. */
    public static CheckpointSample of(Gpt gpt, Path tokenizerJson) {
        try {
            return new CheckpointSample(gpt, new TokenizerCodec(Tokenizer.fromFile(tokenizerJson)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The prompt's completion by the model's weights now (at most {@link #MAX_TOKENS}, fewer near the context's end). */
    public String complete() {
        int[] prompt = codec.encode(PROMPT);
        int tokens = Math.min(MAX_TOKENS, model.contextLength() - prompt.length);
        if (tokens < 1) return "";
        GenerationParams greedy = new GenerationParams(SamplingParams.GREEDY, tokens, StopSequences.NONE, 0L, -1);
        return new Generator(model, codec).generate(List.of(prompt), greedy, Cancellation.NEVER, step -> { })
                .get(0).text();
    }
}
