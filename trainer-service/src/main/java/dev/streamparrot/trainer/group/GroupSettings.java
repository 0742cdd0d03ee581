package dev.streamparrot.trainer.group;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * How a trainer group synchronises (DiLoCo): every member runs {@code innerSteps} AdamW steps from the global
 * parameters, then the coordinator averages the members' pseudo-gradients (weighted by tokens) and applies one
 * Nesterov SGD step with {@code outerLr} and {@code outerMomentum}.
 *
 * @param groupId          the trainer group: the consumer group on chunks-train, and the key of every exchanged record
 * @param innerSteps       H, inner steps per round
 * @param outerLr          the outer learning rate (DiLoCo: 0.7)
 * @param outerMomentum    the outer Nesterov momentum (DiLoCo: 0.9)
 * @param quorum           after the round timeout, the round closes if at least this fraction of the live members contributed
 * @param roundTimeout     how long the coordinator waits for every live member before the quorum suffices
 * @param checkpointRounds a checkpoint of the global model every this many rounds (and when the group stops)
 * @param dataWait         how long a member waits for chunks before it contributes an empty round
 * @param member           this member's stable name (its inner optimizer state is kept with each global checkpoint
 *                         and taken again by a member of the same name); null: a name of this start only
 */
public record GroupSettings(String groupId, int innerSteps, double outerLr, double outerMomentum, double quorum,
                            Duration roundTimeout, int checkpointRounds, Duration dataWait, String member) {
    public GroupSettings {
        if (innerSteps <= 0 || checkpointRounds <= 0) throw new IllegalArgumentException("inner steps and checkpoint rounds must be positive");
        if (quorum <= 0 || quorum > 1) throw new IllegalArgumentException("quorum is a fraction in (0, 1], got " + quorum);
        if (member != null && !member.matches("[A-Za-z0-9._-]+")) throw new IllegalArgumentException("a member name is [A-Za-z0-9._-]+, got " + member);
    }

    /** Settings of a member without a stable name. */
    public GroupSettings(String groupId, int innerSteps, double outerLr, double outerMomentum, double quorum,
                         Duration roundTimeout, int checkpointRounds, Duration dataWait) {
        this(groupId, innerSteps, outerLr, outerMomentum, quorum, roundTimeout, checkpointRounds, dataWait, null);
    }

    /** The same settings for the member of this stable name. */
    public GroupSettings withMember(String name) {
        return new GroupSettings(groupId, innerSteps, outerLr, outerMomentum, quorum, roundTimeout, checkpointRounds, dataWait, name);
    }

    /** Whether the global model of this round is checkpointed (the coordinator) and the members keep their inner state. */
    boolean checkpointed(long round, long innerSteps, long maxTrainSteps) {
        return round % checkpointRounds == 0 || innerSteps >= maxTrainSteps;
    }

    /** Keys under {@code streamparrot.trainer.} (kebab-case), with what they mean. */
    public static final Map<String, String> KEYS = Map.of(
            "group-id", "trainer group id: members with the same id train one model together (DiLoCo); unset: a single trainer",
            "group-inner-steps", "H, inner steps per round (default 50)",
            "group-outer-lr", "outer learning rate (default 0.7)",
            "group-outer-momentum", "outer Nesterov momentum (default 0.9)",
            "group-quorum", "fraction of live members a round needs after its timeout (default 0.5)",
            "group-round-timeout", "seconds the coordinator waits for every live member (default 600)",
            "group-checkpoint-rounds", "a checkpoint every this many rounds (default 4)",
            "group-data-wait", "seconds a member waits for chunks before contributing an empty round (default 2)",
            "group-member", "this member's stable name: a whole-group restart resumes its inner AdamW state (unset: starts fresh)");

    /** The group settings, or empty when no group id is set (the trainer then trains alone, as before). */
    public static Optional<GroupSettings> from(Function<String, Optional<String>> property) {
        Optional<String> id = property.apply("group-id").filter(v -> !v.isBlank());
        return id.map(g -> new GroupSettings(g,
                Integer.parseInt(property.apply("group-inner-steps").orElse("50")),
                Double.parseDouble(property.apply("group-outer-lr").orElse("0.7")),
                Double.parseDouble(property.apply("group-outer-momentum").orElse("0.9")),
                Double.parseDouble(property.apply("group-quorum").orElse("0.5")),
                Duration.ofMillis((long) (1000 * Double.parseDouble(property.apply("group-round-timeout").orElse("600")))),
                Integer.parseInt(property.apply("group-checkpoint-rounds").orElse("4")),
                Duration.ofMillis((long) (1000 * Double.parseDouble(property.apply("group-data-wait").orElse("2")))),
                property.apply("group-member").filter(v -> !v.isBlank()).orElse(null)));
    }
}
