package dev.streamparrot.trainer.data;

import java.util.List;
import java.util.Map;

/**
 * Everything that decides the dataset's next batches, taken right after a batch: with it a restarted
 * trainer yields exactly the batches an uninterrupted one would.
 *
 * @param tokenizerId      the tokenizer the run trains on (adopted from the first chunk when not configured)
 * @param epoch            passes over the topic started so far, minus one
 * @param samplesThisEpoch valid chunks read in this epoch (an epoch that finds none waits instead of spinning)
 * @param cursor           index into the partition list where the round-robin merge continues
 * @param rng              the shuffle generator's state
 * @param capacity         the shuffle buffer's size (shrinks to the topic's size when a first epoch ends before it fills)
 * @param next             per partition, the offset after the last record the merge took
 * @param ends             the end offsets the merge is currently reading up to
 * @param buffer           the shuffle buffer's contents, in slot order
 */
public record DataState(String tokenizerId, long epoch, long samplesThisEpoch, int cursor, long rng, int capacity,
                        Map<Integer, Long> next, Map<Integer, Long> ends, List<Sample> buffer) implements DatasetState {
    @Override
    public Map<Integer, Long> committable() {
        return next;
    }

    /** Not tracked: the shuffle buffer holds chunks from below {@code next}, and later epochs start over. */
    @Override
    public Map<Integer, Long> frontier() {
        return Map.of();
    }
}
