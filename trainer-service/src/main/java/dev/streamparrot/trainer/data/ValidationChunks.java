package dev.streamparrot.trainer.data;

import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.TokenIds;

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
        Map<Integer, Long> begin = source.beginningOffsets(), end = source.endOffsets();
        for (int p : source.partitions()) {
            source.seek(p, begin.get(p));
            while (source.position(p) < end.get(p)) {
                for (ChunkRecord r : source.poll(Set.of(p), Duration.ofMillis(200))) {
                    if (r.offset() >= end.get(p) || (limit >= 0 && handed >= limit)) continue;
                    int[] ids = usable(r.chunk(), tokenizerId, seqLength, vocabSize);
                    if (ids != null) {
                        each.accept(ids);
                        handed++;
                    }
                }
                if (limit >= 0 && handed >= limit) return handed;
            }
        }
        return handed;
    }

    private static int[] usable(Chunk c, String tokenizerId, int seqLength, int vocabSize) {
        if (!tokenizerId.equals(String.valueOf(c.getTokenizerId()))) return null;
        int[] ids;
        try {
            ids = TokenIds.unpack(c.getIds(), c.getEncoding());
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (ids.length != seqLength) return null;
        for (int id : ids) if (id >= vocabSize) return null;
        return ids;
    }
}
