package dev.streamparrot.trainer.group;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.trainer.checkpoint.CheckpointStore;
import dev.streamparrot.trainer.loop.TrainingArgs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Exact resume of a whole group, inner optimizer included: a member with H = 2 (so its AdamW moments carry from one
 * round to the next) that is stopped at the round-2 checkpoint and started again under the same name ends with the
 * same global parameters, bit for bit, as one that ran the 4 rounds straight. A restarted member that started its
 * AdamW fresh would differ from round 3 on.
 */
@ExtendWith(RealCluster.class)
class GroupExactResumeTest {
    @Test
    void aMemberRestartedUnderItsNameResumesItsInnerAdamWBitForBit(@TempDir Path dir) throws Exception {
        KafkaSettings kafka = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        TokenizerRelease release = GroupTestKit.release(dir);
        float[] straight = train(kafka, dir.resolve("straight"), release, 8);
        float[] restarted = train(kafka, dir.resolve("restarted"), release, 4, 8);
        assertArrayEquals(straight, restarted, "the restarted group's round 4 is the straight run's");
    }

    /** One member trains the same chunks on fresh topics, stopped at each of {@code stops} inner steps; the last global parameters. */
    private static float[] train(KafkaSettings kafka, Path dir, TokenizerRelease release, long... stops) throws Exception {
        GroupTopics topics = GroupTestKit.topics(kafka, GroupTestKit.prefix("resume"));
        GroupTestKit.writeChunks(kafka, topics, 80, 8, 3);
        GroupSettings settings = new GroupSettings("resume-" + System.nanoTime(), 2, 0.7, 0.9, 1.0, Duration.ofSeconds(30), 2,
                Duration.ofSeconds(1)).withMember("m0");
        String runId = "resume-" + System.nanoTime();
        for (long stop : stops) {
            // a constant schedule: the learning rate of a step does not depend on where this start stops
            TrainingArgs args = GroupTestKit.args(stop).with(Map.of("lr_scheduler_type", "constant"));
            new GroupTestKit.MemberThread(kafka, settings, topics, new GroupMember.Run(runId, args, null, 0, dir), release, List.of())
                    .join(Duration.ofSeconds(120));
        }
        assertEquals(List.of(4L, 8L), new CheckpointStore(dir).artifacts().list("member-states/" + runId + "/").stream()
                .map(m -> CheckpointStore.stepOf(Path.of(m.name()).getParent())).sorted().toList(),
                "the member's inner state is kept with each global checkpoint");
        Map<Long, GroupTestKit.Published> rounds = GroupTestKit.rounds(kafka, topics.global().name());
        assertEquals(4L, rounds.keySet().stream().mapToLong(Long::longValue).max().orElseThrow());
        return rounds.get(4L).params();
    }
}
