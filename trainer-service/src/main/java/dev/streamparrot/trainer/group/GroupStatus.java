package dev.streamparrot.trainer.group;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** A member's view of its group, readable from any thread (GET /trainer/status, the metrics). */
public final class GroupStatus {
    /**
     * @param memberId          the member's consumer-group member id ("" before it joined)
     * @param partitions        the chunks-train partitions it owns
     * @param coordinator       whether it holds the outer step now
     * @param round             the round it trains (or waits for)
     * @param innerStep         its inner step within the round
     * @param groupSize         live members, as the coordinator last saw them (this member's own count otherwise)
     * @param lastRoundSeconds  the last round's duration as this member saw it (start to the next global parameters)
     * @param lastRoundBytes    bytes this member sent and received for the last round (contribution + global parameters)
     * @param bytesExchanged    all bytes this member sent and received for rounds so far
     * @param tokensExchanged   tokens this member trained in contributions it sent
     * @param refused           contributions the coordinator refused while this member held the role
     * @param lateDropped       contributions dropped as late while this member held the role
     */
    public record Snapshot(String memberId, List<Integer> partitions, boolean coordinator, long round, long innerStep, int groupSize,
                           double lastRoundSeconds, long lastRoundBytes, long bytesExchanged, long tokensExchanged,
                           long refused, long lateDropped) {}

    private final AtomicReference<Snapshot> current =
            new AtomicReference<>(new Snapshot("", List.of(), false, 0, 0, 0, Double.NaN, 0, 0, 0, 0, 0));

    public Snapshot snapshot() {
        return current.get();
    }

    void update(java.util.function.UnaryOperator<Snapshot> change) {
        current.updateAndGet(change);
    }
}
