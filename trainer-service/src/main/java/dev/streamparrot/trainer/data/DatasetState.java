package dev.streamparrot.trainer.data;

import java.util.Map;

/** A dataset's state between batches, as a checkpoint saves it: {@link DataState} or {@link FreshReplayState}. */
public sealed interface DatasetState permits DataState, FreshReplayState {
    String tokenizerId();

    /** Per partition, the offset to commit for the trainer's consumer group (progress for operators). */
    Map<Integer, Long> committable();

    /** Per partition, an offset below which every chunk has been trained; empty when the dataset does not know. */
    Map<Integer, Long> frontier();
}
