package dev.streamparrot.trainer.group;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.model.TrainStep;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.trainer.data.Sample;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A group member in a JVM of its own, for tests that kill it with SIGKILL. Prints one line per inner step
 * ({@code STEP round step}), per contribution ({@code CONTRIBUTED id partition:offset,...}) and, after either, when
 * it took or dropped the coordinator role ({@code COORDINATOR member-id}, the id its published rounds carry;
 * {@code NOT-COORDINATOR member-id}).
 * Arguments: bootstrap registry group topic-prefix inner-steps timeout-seconds tokenizer-json checkpoint-dir.
 */
public final class GroupMemberProcess {
    public static void main(String[] a) throws Exception {
        KafkaSettings kafka = new KafkaSettings(a[0], a[1]);
        GroupSettings settings = new GroupSettings(a[2], Integer.parseInt(a[4]), 0.7, 0.9, 0.5,
                Duration.ofSeconds(Long.parseLong(a[5])), 1000, Duration.ofSeconds(1));
        GroupTopics topics = GroupTopics.prefixed(a[3]);
        TokenizerRelease release = new TokenizerRelease(GroupTestKit.TOKENIZER, GroupTestKit.VOCAB, GroupTestKit.VOCAB - 1,
                Path.of(a[6]).toUri().toString(), dev.streamparrot.artifacts.Sha256.of(Path.of(a[6])), 0L, 0L, "", Instant.now());
        GroupStatus status = new GroupStatus();
        GroupListener printer = new GroupListener() {
            long round;
            boolean coordinates;

            @Override
            public void roundStarted(long r, float[] params) {
                round = r;
                System.out.println("ROUND " + r);
                System.out.flush();
            }

            @Override
            public void updated(TrainStep.Result r, double tokensPerSecond) {
                System.out.println("STEP " + round + " " + r.step());
                System.out.flush();
                printRoleChange();
            }

            @Override
            public void contributed(String id, long r, List<Sample> trained) {
                System.out.println("CONTRIBUTED " + id + " " + trained.stream().map(s -> s.partition() + ":" + s.offset())
                        .collect(Collectors.joining(",")));
                System.out.flush();
                printRoleChange();
            }

            /** After a step or contribution line, never between a ROUND line and its first STEP (GroupMembershipTest's kill cue). */
            void printRoleChange() {
                GroupStatus.Snapshot s = status.snapshot();
                if (s.coordinator() == coordinates) return;
                coordinates = s.coordinator();
                System.out.println((coordinates ? "COORDINATOR " : "NOT-COORDINATOR ") + s.memberId());
                System.out.flush();
            }
        };
        new GroupMember(kafka, settings, topics, new GroupMember.Run("child", GroupTestKit.args(100_000), GroupTestKit.TOKENIZER, 0, Path.of(a[7])),
                List.of(printer), List.of(), status, GroupTestKit.fastSession(),
                id -> id.equals(release.getId()) ? Optional.of(release) : Optional.empty()).run();
    }
}
