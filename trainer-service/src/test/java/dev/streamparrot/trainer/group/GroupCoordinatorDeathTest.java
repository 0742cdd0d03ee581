package dev.streamparrot.trainer.group;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.schemas.TrainerFragment;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.trainer.loop.TrainingArgs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14: the round protocol survives its coordinator dying. A member in its own JVM takes the coordinator role
 * (it is alone in the group when the group starts), two more members join, and once rounds have closed the
 * coordinator is killed with SIGKILL mid-round: right after its own contribution to a round, while it collects the
 * others'. Another member must take the role from the committed state: every round on trainer-global and
 * trainer-outer exactly once and consecutive, each round the outer step of the one before (its contributions are of
 * that round; its parameters, momentum and tokens follow from that round's and theirs, bit for bit), every chunk of
 * the topic trained exactly once, and training going on for at least two rounds under the new coordinator.
 */
@ExtendWith(RealCluster.class)
class GroupCoordinatorDeathTest {
    static final Duration ROUND_TIMEOUT = Duration.ofSeconds(20);
    static final int CHUNKS = 240;

    @Test
    void anotherMemberTakesOverFromTheLastCommittedRound(@TempDir Path dir) throws Exception {
        KafkaSettings kafka = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        String prefix = GroupTestKit.prefix("coordinator-death");
        GroupTopics topics = GroupTestKit.topics(kafka, prefix);
        TokenizerRelease release = GroupTestKit.release(dir);
        GroupSettings settings = new GroupSettings("coordinator-death-" + System.nanoTime(), 3, 0.7, 0.9, 0.5, ROUND_TIMEOUT, 1000,
                Duration.ofSeconds(1));
        TrainingArgs args = GroupTestKit.args(100_000);
        GroupMember.Run run = new GroupMember.Run("coordinator-death", args, GroupTestKit.TOKENIZER, 0, dir.resolve("checkpoints"));

        // the child member starts alone: it owns trainer-coordinator-0, publishes round 0 and says so
        AtomicReference<String> childCoordinates = new AtomicReference<>(); // its member id while it holds the role
        AtomicLong childRound = new AtomicLong(-1), childContributed = new AtomicLong(-1);
        ChildMember child = new ChildMember(kafka, settings, prefix, release, dir.resolve("child"), line -> {
            String[] f = line.split(" ");
            if (line.startsWith("COORDINATOR ")) childCoordinates.set(f[1]);
            if (line.startsWith("NOT-COORDINATOR ")) childCoordinates.set(null);
            if (line.startsWith("ROUND ")) childRound.set(Long.parseLong(f[1]));
            if (line.startsWith("CONTRIBUTED ") && f.length > 2) childContributed.set(childRound.get()); // one that trained chunks
        });
        List<GroupTestKit.MemberThread> threads = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
            while (childCoordinates.get() == null && child.alive() && System.nanoTime() < deadline) Thread.sleep(50);
            assertTrue(childCoordinates.get() != null, "the child never took the coordinator role:\n" + child.log());
            String childId = childCoordinates.get();

            threads.add(new GroupTestKit.MemberThread(kafka, settings, topics, run, release, List.of()));
            threads.add(new GroupTestKit.MemberThread(kafka, settings, topics, run, release, List.of()));
            GroupTestKit.writeChunks(kafka, topics, CHUNKS, 8, 7);

            // kill it once it contributed to round 2 or later (rounds 0 and 1 closed) while it still coordinates:
            // its round is open (it is a live member that had not contributed) and it is collecting the others'
            while (!(childContributed.get() >= 2 && childCoordinates.get() != null) && child.alive() && System.nanoTime() < deadline) {
                failIfAnyFailed(threads, child);
                Thread.sleep(5);
            }
            assertTrue(child.alive(), "the child member died by itself:\n" + child.log());
            assertTrue(childContributed.get() >= 2, "the child never contributed to round 2 as the coordinator:\n" + child.log());
            long killedInRound = childContributed.get();
            child.kill();
            Map<Long, String> publishersAtKill = publishers(kafka, topics.global().name());
            long othersContributed = threads.stream().filter(t -> t.recorder.contributionRounds.containsValue(killedInRound)).count();
            long lastAtKill = publishersAtKill.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
            assertEquals(childId, publishersAtKill.get(lastAtKill), "the killed member published the latest round: it was the coordinator");
            assertTrue(lastAtKill <= killedInRound + 1, "round " + killedInRound + " closed at most just before the kill");

            // train until the group's committed offsets (the coordinator's to write) reach the end of every partition
            Map<Integer, Long> ends = new TreeMap<>();
            for (int p = 0; p < topics.chunks().partitions(); p++) ends.put(p, (long) CHUNKS / topics.chunks().partitions());
            boolean newCoordinatorSeen = false;
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                GroupView view = new GroupView(admin, settings.groupId());
                for (int i = 1; !view.committedChunkOffsets(topics.chunks().name()).equals(ends) && System.nanoTime() < deadline; i++) {
                    failIfAnyFailed(threads, child);
                    newCoordinatorSeen |= threads.stream().anyMatch(t -> t.status.snapshot().coordinator());
                    if (i % 10 == 0) publishers(kafka, topics.global().name()); // a round published twice fails now, not at the deadline
                    Thread.sleep(200);
                }
                assertEquals(ends, view.committedChunkOffsets(topics.chunks().name()), "the group trained the whole topic");
            }
            for (GroupTestKit.MemberThread t : threads) t.member.requestStop();
            for (GroupTestKit.MemberThread t : threads) t.join(Duration.ofSeconds(60));
            assertTrue(newCoordinatorSeen, "an in-process member reported the coordinator role after the kill");

            // every round once, consecutive, on both round topics; the ones after the kill published by another member
            Map<Long, String> publishers = publishers(kafka, topics.global().name());
            assertEquals(publishers.keySet(), publishers(kafka, topics.outer().name()).keySet(), "a momentum for every round, once");
            long after = publishers.entrySet().stream().filter(e -> e.getKey() > lastAtKill).peek(e ->
                    assertNotEquals(childId, e.getValue(), "round " + e.getKey() + " published after the kill by the killed member")).count();
            assertTrue(after >= 2, "at least two rounds under the new coordinator, not " + after);

            // each round is the outer step of the one before: its accepted contributions trained that round, and the
            // published parameters and momentum are what the outer step makes of the previous round's (bit for bit)
            Map<String, TrainerFragment> contributions = headers(kafka, topics.contributions().name());
            Map<String, float[]> locals = GroupTestKit.contributionParams(kafka, topics.contributions().name());
            Map<Long, GroupTestKit.Published> rounds = GroupTestKit.rounds(kafka, topics.global().name());
            Map<Long, GroupTestKit.Published> momenta = GroupTestKit.rounds(kafka, topics.outer().name());
            for (long r = 1; r < rounds.size(); r++) {
                long tokens = rounds.get(r - 1).header().getTokens();
                List<OuterStep.Local> used = new ArrayList<>();
                for (String id : rounds.get(r).header().getAccepted()) {
                    TrainerFragment c = contributions.get(id);
                    assertEquals(r - 1, c.getRound(), "round " + r + " accepted contribution " + id);
                    tokens += c.getTokens();
                    used.add(new OuterStep.Local(locals.get(id), c.getTokens()));
                }
                assertEquals(tokens, rounds.get(r).header().getTokens(), "round " + r + "'s tokens: round " + (r - 1) + "'s and its contributions'");
                float[] momentum = momenta.get(r - 1).params().clone();
                assertArrayEquals(new OuterStep(settings.outerLr(), settings.outerMomentum()).apply(rounds.get(r - 1).params(), momentum, used),
                        rounds.get(r).params(), "round " + r + ": the outer step of round " + (r - 1));
                assertArrayEquals(momentum, momenta.get(r).params(), "round " + r + "'s momentum");
            }

            // no chunk trained twice, none skipped: the accepted ranges tile every partition up to its end
            assertEquals(ends, GroupTestKit.assertTrainedOnce(kafka, topics), "the accepted contributions trained the topic once");
            System.out.printf("coordinator killed after its contribution to round %d (%d of 2 other members had contributed, "
                    + "the round %s); %d rounds in all, %d after the kill%n", killedInRound, othersContributed,
                    lastAtKill > killedInRound ? "published just before the kill" : "still open", publishers.size(), after);
        } finally {
            child.killIfAlive(Duration.ofSeconds(10));
            threads.forEach(t -> t.member.requestStop());
        }
    }

    private static void failIfAnyFailed(List<GroupTestKit.MemberThread> threads, ChildMember child) {
        for (GroupTestKit.MemberThread t : threads) {
            if (t.failure != null) throw new AssertionError("a member failed:\n" + child.log(), t.failure);
        }
    }

    /**
     * Who published each round (the coordinator's member id in the round's first fragment), asserting that the rounds
     * are 0, 1, 2, ... with none published twice (a round applied twice would show two first fragments).
     */
    private static Map<Long, String> publishers(KafkaSettings kafka, String topic) {
        Map<Long, String> publisher = new TreeMap<>();
        for (TrainerFragment f : GroupTestKit.fragments(kafka, topic)) {
            if (f.getIndex() != 0) continue;
            String earlier = publisher.put(f.getRound(), f.getMemberId());
            assertTrue(earlier == null, topic + ": round " + f.getRound() + " published twice (by " + earlier + " and " + f.getMemberId() + ")");
        }
        assertEquals(new ArrayList<>(publisher.keySet()), LongStream.range(0, publisher.size()).boxed().toList(),
                topic + ": rounds consecutive from 0");
        return publisher;
    }

    /** The first fragment of every contribution, by contribution id. */
    private static Map<String, TrainerFragment> headers(KafkaSettings kafka, String topic) {
        Map<String, TrainerFragment> out = new HashMap<>();
        for (TrainerFragment f : GroupTestKit.fragments(kafka, topic)) {
            if (f.getIndex() == 0) out.put(f.getContributionId(), f);
        }
        return out;
    }
}
