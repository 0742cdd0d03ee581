package dev.streamparrot.trainer.data;

import java.util.Map;

/** {@link FreshReplayDataset}'s state: the tokenizer and the mix's state (all of it fits in trainer_state.json). */
public record FreshReplayState(String tokenizerId, FreshReplayMix.State mix) implements DatasetState {
    @Override
    public Map<Integer, Long> committable() {
        return mix.frontier();
    }

    @Override
    public Map<Integer, Long> frontier() {
        return mix.frontier();
    }
}
