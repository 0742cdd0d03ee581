package dev.streamparrot.trainer.data;

import java.time.Duration;

/**
 * What both datasets share: the chunk source, the judge that checks each chunk (and dead-letters the unusable
 * ones), and the wait while the log has nothing to give. How the next chunk is chosen is each dataset's own.
 */
abstract sealed class JudgedData implements TrainingData permits ChunkDataset, FreshReplayDataset {
    /** One poll's wait, and the pause before asking the log again. */
    static final Duration POLL = Duration.ofMillis(200);

    final ChunkSource source;
    final ChunkJudge judge;

    /**
     * @param tokenizerId the tokenizer to train on, or null to adopt the first usable chunk's
     * @param resumeFrom  a state taken from an earlier run (its tokenizer must still be the one trained on), or null
     */
    JudgedData(ChunkSource source, int seqLength, String tokenizerId, DatasetState resumeFrom, Rejects rejects) {
        this.source = source;
        this.judge = new ChunkJudge(seqLength, tokenizerId, resumeFrom == null ? null : resumeFrom.tokenizerId(), rejects);
    }

    /** From now on, chunks holding ids at or above vocabSize are rejected instead of reaching the model. */
    @Override
    public final void requireIdsBelow(int vocabSize) {
        judge.requireIdsBelow(vocabSize);
    }

    static void pause() throws InterruptedException {
        Thread.sleep(POLL.toMillis());
    }
}
