package dev.streamparrot.trainer.data;

import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.ChunkCheck;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a dataset asks of each chunk it reads: is it usable for the run's tokenizer, sequence length and vocabulary?
 * An unusable one goes to {@link Rejects} with the reason once per process, however often it is read again (later
 * epochs, replays). The tokenizer is the configured one, the resumed run's, or else the first usable chunk's; the
 * vocabulary is known once the trainer has read the tokenizer's release ({@link #requireIdsBelow}).
 */
final class ChunkJudge {
    private final int seqLength;
    private final Rejects rejects;
    private final Map<Integer, Long> judgedUpTo = new TreeMap<>(); // per partition: records below were judged before
    private String tokenizerId;
    private int vocabSize = Integer.MAX_VALUE;

    /**
     * @param configured the tokenizer to train on, or null to adopt the first usable chunk's
     * @param resumed    the tokenizer of the checkpoint the run resumes from, or null for a fresh run
     */
    ChunkJudge(int seqLength, String configured, String resumed, Rejects rejects) {
        if (resumed != null && configured != null && !configured.equals(resumed)) {
            throw new IllegalArgumentException("configured tokenizer " + configured + " but the checkpoint trained on " + resumed);
        }
        this.seqLength = seqLength;
        this.rejects = rejects;
        this.tokenizerId = resumed != null ? resumed : configured;
    }

    /** The tokenizer trained on; null until configured or adopted. */
    String tokenizerId() {
        return tokenizerId;
    }

    void requireIdsBelow(int vocabSize) {
        this.vocabSize = vocabSize;
    }

    /** What the chunk is now, nothing judged: before the tokenizer is known, any tokenizer's chunk can be usable. */
    ChunkCheck.Result check(Chunk chunk) {
        return new ChunkCheck(tokenizerId, seqLength, vocabSize).check(chunk);
    }

    /**
     * Checks the record's chunk; an unusable one not judged before is rejected, and the first usable one names the
     * tokenizer when none was configured.
     */
    ChunkCheck.Result judge(ChunkRecord r) {
        ChunkCheck.Result checked = check(r.chunk());
        if (r.offset() >= judgedUpTo.getOrDefault(r.partition(), 0L)) {
            if (!checked.usable()) rejects.reject(r, checked.fault());
            judgedUpTo.put(r.partition(), r.offset() + 1);
        }
        if (checked.usable() && tokenizerId == null) tokenizerId = String.valueOf(r.chunk().getTokenizerId());
        return checked;
    }

    /**
     * Looking ahead for the tokenizer (none configured yet): a chunk usable for any tokenizer names it. Nothing is
     * judged, so the chunk is judged (against the vocabulary too) when it is read for training.
     */
    void adoptTokenizerOf(Chunk chunk) {
        if (tokenizerId == null && check(chunk).usable()) tokenizerId = String.valueOf(chunk.getTokenizerId());
    }

    /** A chunk judged usable before the vocabulary was known, checked again against it: rejected now if it fails. */
    ChunkCheck.Result rejudge(ChunkRecord r) {
        ChunkCheck.Result checked = check(r.chunk());
        if (!checked.usable()) rejects.reject(r, checked.fault());
        return checked;
    }
}
