package dev.streamparrot.model.generate;

import java.util.List;

/**
 * A causal language model that decodes several sequences at once, keeping whatever state
 * (a KV cache) makes the next step cheap. Several batches may be open at once; an implementation may
 * run their rows together in one forward pass (see {@code GptLanguageModel}).
 */
public interface LanguageModel {

    /** Maximum tokens per sequence, prompt and completion together. */
    int contextLength();

    /** Number of token ids the model knows; logits rows have this length. */
    int vocabSize();

    /** Starts decoding one row per prompt; prompts may differ in length and must not be empty. */
    Batch start(List<int[]> prompts);

    interface Batch extends AutoCloseable {

        /** Logits over the vocabulary for the next token of every row: {@code [rows][vocab]}. */
        float[][] nextLogits();

        /** Appends one token to every row (rows the caller has finished get a filler token). */
        void append(int[] tokenPerRow);

        /** Frees the cache. */
        @Override
        void close();
    }
}
