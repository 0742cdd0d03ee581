package dev.streamparrot.trainer.group;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.schemas.ChunkRange;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.trainer.data.Sample;
import dev.streamparrot.trainer.loop.TrainingArgs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Done-when (1) and (2): three members train together (one in its own JVM), that one is killed with SIGKILL mid-round,
 * the round still closes within the timeout, its partitions move and training goes on; a fourth member joins and
 * starts from the global parameters; over the whole topic, the chunks of the accepted contributions are the topic's
 * chunks exactly once each.
 */
@ExtendWith(RealCluster.class)
class GroupMembershipTest {
    static final Duration ROUND_TIMEOUT = Duration.ofSeconds(20);

    @Test
    void membersDieAndJoinAndEveryChunkIsTrainedExactlyOnce(@TempDir Path dir) throws Exception {
        KafkaSettings kafka = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        String prefix = GroupTestKit.prefix("members");
        GroupTopics topics = GroupTestKit.topics(kafka, prefix);
        int chunkCount = 160;
        TokenizerRelease release = GroupTestKit.release(dir);
        String group = "members-" + System.nanoTime();
        GroupSettings settings = new GroupSettings(group, 3, 0.7, 0.9, 0.5, ROUND_TIMEOUT, 1000, Duration.ofSeconds(1));
        TrainingArgs args = GroupTestKit.args(100_000);
        // the tokenizer is given, so members need no chunk to start: the chunks come once all three are in the group
        GroupMember.Run run = new GroupMember.Run("members", args, GroupTestKit.TOKENIZER, 0, dir.resolve("checkpoints"));

        List<GroupTestKit.MemberThread> threads = new ArrayList<>();
        threads.add(new GroupTestKit.MemberThread(kafka, settings, topics, run, release, List.of()));
        threads.add(new GroupTestKit.MemberThread(kafka, settings, topics, run, release, List.of()));

        // the third member: its own JVM, killed with SIGKILL after it trained an inner step of a round past the first
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.streamparrot",
                "-cp", System.getProperty("java.class.path"), GroupMemberProcess.class.getName(),
                kafka.bootstrapServers(), kafka.schemaRegistryUrl(), group, prefix, "3", "" + ROUND_TIMEOUT.toSeconds(),
                release.getLocation().substring("file:".length()).replaceFirst("^//", ""), dir.resolve("child").toString())
                .redirectErrorStream(true).start();
        Map<String, List<Sample>> childContributions = new ConcurrentHashMap<>();
        AtomicLong childRoundOfLastStep = new AtomicLong(-1), childRoundStarted = new AtomicLong(-1);
        StringBuilder childLog = new StringBuilder();
        boolean[] firstStep = {false};
        Thread childReader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
                for (String line; (line = in.readLine()) != null; ) {
                    synchronized (childLog) {
                        childLog.append(line).append('\n');
                    }
                    String[] f = line.split(" ");
                    // the first inner step of a round: the child has 2 of its H = 3 steps to go, mid-round
                    if (line.startsWith("STEP ") && firstStep[0]) childRoundOfLastStep.set(Long.parseLong(f[1]));
                    firstStep[0] = line.startsWith("ROUND ");
                    if (line.startsWith("ROUND ")) childRoundStarted.set(Long.parseLong(f[1]));
                    if (line.startsWith("CONTRIBUTED ")) {
                        List<Sample> samples = new ArrayList<>();
                        if (f.length > 2) {
                            for (String po : f[2].split(",")) {
                                String[] x = po.split(":");
                                samples.add(new Sample(Integer.parseInt(x[0]), Long.parseLong(x[1]), null));
                            }
                        }
                        childContributions.put(f[1], samples);
                    }
                }
            } catch (Exception ignored) {
                // the child was killed
            }
        });
        childReader.setDaemon(true);
        childReader.start();

        long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
        while (childRoundStarted.get() < 0 && child.isAlive() && System.nanoTime() < deadline) Thread.sleep(50);
        assertTrue(childRoundStarted.get() >= 0, "the child member never started a round:\n" + childLog);
        GroupTestKit.writeChunks(kafka, topics, chunkCount, 8, 5);
        while (childRoundOfLastStep.get() < 1 && child.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(child.isAlive(), "the child member died by itself:\n" + childLog);
        assertTrue(childRoundOfLastStep.get() >= 1, "the child never trained past round 0:\n" + childLog);
        long killedInRound = childRoundOfLastStep.get();
        child.destroyForcibly(); // SIGKILL: no leave-group, no contribution for this round
        child.waitFor();
        long killedAt = System.nanoTime();

        // the round the child was in still closes, without it, within the timeout (after its session expired or by quorum)
        while (GroupTestKit.rounds(kafka, topics.global().name()).keySet().stream().noneMatch(r -> r > killedInRound)
                && System.nanoTime() - killedAt < ROUND_TIMEOUT.plusSeconds(20).toNanos()) {
            Thread.sleep(500);
        }
        double closedAfter = (System.nanoTime() - killedAt) / 1e9;
        assertTrue(GroupTestKit.rounds(kafka, topics.global().name()).keySet().stream().anyMatch(r -> r > killedInRound),
                "round " + killedInRound + " never closed after the kill");
        assertTrue(closedAfter < ROUND_TIMEOUT.toSeconds() + 10, "round closed " + closedAfter + " s after the kill");

        // a fourth member joins mid-run
        GroupTestKit.MemberThread joiner = new GroupTestKit.MemberThread(kafka, settings, topics, run, release, List.of());
        threads.add(joiner);

        // train until the group's committed offsets reach the end of every partition
        Map<TopicPartition, Long> ends = new HashMap<>();
        for (int p = 0; p < topics.chunks().partitions(); p++) ends.put(new TopicPartition(topics.chunks().name(), p), (long) chunkCount / 4);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            while (System.nanoTime() < deadline) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
                if (ends.keySet().stream().allMatch(tp -> committed.get(tp) != null && committed.get(tp).offset() >= ends.get(tp))) break;
                for (GroupTestKit.MemberThread t : threads) {
                    if (t.failure != null) throw new AssertionError("a member failed:\n" + childLog, t.failure);
                }
                Thread.sleep(500);
            }
        }
        for (GroupTestKit.MemberThread t : threads) t.member.requestStop();
        for (GroupTestKit.MemberThread t : threads) t.join(Duration.ofSeconds(60));

        Map<Long, GroupTestKit.Published> rounds = GroupTestKit.rounds(kafka, topics.global().name());
        // (1) the joiner's first inner step started from the global parameters of its first round
        long joinerFirst = joiner.recorder.roundsStarted.get(0);
        assertArrayEquals(rounds.get(joinerFirst).params(), joiner.recorder.startParams.get(joinerFirst),
                "the joiner starts from the global parameters of round " + joinerFirst);
        assertTrue(joinerFirst > killedInRound, "the joiner joined after the kill");
        assertTrue(!joiner.recorder.contributions.isEmpty(), "the joiner contributed");

        // (2) the chunks of the accepted contributions are the topic's chunks, each exactly once
        Map<String, List<Sample>> trained = new HashMap<>(childContributions);
        for (GroupTestKit.MemberThread t : threads) trained.putAll(t.recorder.contributions);
        Map<String, List<ChunkRange>> ranges = GroupTestKit.contributionRanges(kafka, topics.contributions().name());
        Map<String, Integer> seen = new TreeMap<>();
        Set<String> accepted = new HashSet<>();
        rounds.values().forEach(r -> accepted.addAll(r.header().getAccepted()));
        for (String id : accepted) {
            List<Sample> samples = trained.get(id);
            assertTrue(samples != null, "accepted contribution " + id + " was sent by a member this test knows");
            for (Sample s : samples) seen.merge(s.partition() + ":" + s.offset(), 1, Integer::sum);
            // what the member says it trained is what its contribution's ranges say
            Map<Integer, List<Long>> byPartition = new TreeMap<>();
            samples.forEach(s -> byPartition.computeIfAbsent(s.partition(), k -> new ArrayList<>()).add(s.offset()));
            for (ChunkRange r : ranges.get(id)) {
                List<Long> expected = new ArrayList<>();
                for (long o = r.getFrom(); o < r.getTo(); o++) expected.add(o);
                assertEquals(expected, byPartition.getOrDefault(r.getPartition(), List.of()), "contribution " + id + " partition " + r.getPartition());
            }
        }
        Map<String, Integer> expected = new TreeMap<>();
        for (int i = 0; i < chunkCount; i++) expected.put((i % 4) + ":" + (i / 4), 1);
        assertEquals(expected, seen, "every chunk trained exactly once by the accepted contributions");
        assertTrue(childContributions.keySet().stream().anyMatch(accepted::contains), "the killed member had contributed before it died");
        System.out.printf("group: %d rounds, %d accepted contributions, round %d closed %.1f s after the kill%n",
                rounds.size(), accepted.size(), killedInRound, closedAfter);
    }
}
