package dev.streamparrot.trainer.data;

/**
 * What the trainer draws its batches from: {@link ChunkDataset} (shuffled epochs over the topic) or
 * {@link FreshReplayDataset} (the head of the topic first, mixed with replay).
 */
public interface TrainingData {
    /** The tokenizer trained on; waits for the first usable chunk when it was not configured. */
    String tokenizerId() throws InterruptedException;

    /** From now on, chunks holding ids at or above vocabSize are rejected instead of reaching the model. */
    void requireIdsBelow(int vocabSize);

    /** The next batch_size sequences; waits while the log has nothing to give. */
    int[][] nextBatch() throws InterruptedException;

    /** Everything that decides the next batches, taken between batches: a checkpoint saves it. */
    DatasetState state();
}
