package dev.streamparrot.trainer.data;

import dev.streamparrot.schemas.ChunkCheck;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The validation split (chunks-valid) read from its beginning up to the end offsets of the moment, partition after partition.
 * Chunks of other tokenizers or lengths are skipped quietly: the split may hold several tokenizers' chunks,
 * and a run evaluates on its own tokenizer's only.
 */
public final class ValidationChunks {
    private final ChunkSource source;

    /** @param source the validation topic, read again from its beginning on every call; its owner closes it */
    public ValidationChunks(ChunkSource source) {
        this.source = source;
    }

    /**
     * Hands each usable validation sequence (this tokenizer, this length, ids below vocabSize) to {@code each},
     * in log order, stopping after {@code limit} of them (negative: all that exist now).
     *
     * @return how many were handed out
     */
    public long read(String tokenizerId, int seqLength, int vocabSize, long limit, Consumer<int[]> each) {
        long handed = 0;
        ChunkCheck check = new ChunkCheck(tokenizerId, seqLength, vocabSize);
        Map<Integer, Long> begin = source.beginningOffsets(), end = source.endOffsets();
        for (int p : source.partitions()) {
            source.seek(p, begin.get(p));
            while (source.position(p) < end.get(p)) {
                for (ChunkRecord r : source.poll(Set.of(p), Duration.ofMillis(200))) {
                    if (r.offset() >= end.get(p) || (limit >= 0 && handed >= limit)) continue;
                    ChunkCheck.Result checked = check.check(r.chunk());
                    if (checked.usable()) {
                        each.accept(checked.ids());
                        handed++;
                    }
                }
                if (limit >= 0 && handed >= limit) return handed;
            }
        }
        return handed;
    }
}
