package dev.streamparrot.trainer.group;

import dev.streamparrot.schemas.ChunkRange;
import dev.streamparrot.schemas.TrainerFragment;

import java.util.List;

/**
 * A member's part of a round: its local parameters after its inner steps from the round's global parameters
 * (null when it trained nothing), the tokens and steps, and the chunks it trained on.
 *
 * @param first where its first fragment sits on the contributions topic (the dead letter points there)
 */
public record Contribution(String id, String memberId, long round, String fingerprint, long tokens, long innerSteps,
                           List<ChunkRange> ranges, float[] params, TrainerFragment header, long firstOffset) {

    public boolean empty() {
        return params == null || tokens == 0;
    }

    /** Why the coordinator must not average it in, or null when it may. */
    public String refusal(long currentRound, java.util.Set<String> liveMembers, String groupFingerprint, int vectorLength,
                          java.util.Map<Integer, Long> trainedUpTo) {
        if (round != currentRound) {
            return "contribution " + id + " of member " + memberId + " is for round " + round + ", the group is at round " + currentRound
                    + (round < currentRound ? " (late or stale: the round closed without it)" : "");
        }
        if (!liveMembers.contains(memberId)) return "contribution " + id + " comes from " + memberId + ", not a member of the group";
        if (!groupFingerprint.equals(fingerprint)) {
            return "contribution " + id + " is of model/tokenizer " + fingerprint + ", the group trains " + groupFingerprint;
        }
        for (ChunkRange r : ranges) {
            long reached = trainedUpTo.getOrDefault(r.getPartition(), 0L);
            if (r.getFrom() != reached) {
                return "contribution " + id + " trained partition " + r.getPartition() + " from offset " + r.getFrom()
                        + ", but the group's training there has reached " + reached + " (another member trained it)";
            }
        }
        if (params == null) return null;
        if (params.length != vectorLength) return "contribution " + id + " holds " + params.length + " values, the model has " + vectorLength;
        for (int i = 0; i < params.length; i++) {
            if (!Float.isFinite(params[i])) return "contribution " + id + " holds " + params[i] + " at value " + i;
        }
        return null;
    }
}
