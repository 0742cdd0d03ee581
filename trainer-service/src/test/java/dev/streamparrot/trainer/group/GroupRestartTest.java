package dev.streamparrot.trainer.group;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.model.Gpt;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.schemas.ChunkRange;
import dev.streamparrot.schemas.PartitionOffset;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.topics.Topics;
import dev.streamparrot.trainer.checkpoint.CheckpointStore;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Done-when (4): the whole group stopped and started again resumes exactly where its last global checkpoint is:
 * the same parameters bit for bit, the next round number, the outer momentum, the chunks after the frontier.
 */
@ExtendWith(RealCluster.class)
class GroupRestartTest {
    @Test
    void aRestartedGroupResumesFromItsLastGlobalCheckpoint(@TempDir Path dir) throws Exception {
        GroupTestKit.Fixture fx = GroupTestKit.fixture(dir, "restart", 160, 8, 7);
        GroupSettings settings = new GroupSettings(fx.id(), 2, 0.7, 0.9, 0.5, Duration.ofSeconds(20), 2, Duration.ofSeconds(1));

        List<GroupTestKit.MemberThread> first = List.of(
                new GroupTestKit.MemberThread(fx.kafka(), settings, fx.topics(), new GroupMember.Run(fx.id(), GroupTestKit.args(6), null, 0, dir), fx.release(), List.of()),
                new GroupTestKit.MemberThread(fx.kafka(), settings, fx.topics(), new GroupMember.Run(fx.id(), GroupTestKit.args(6), null, 0, dir), fx.release(), List.of()));
        for (GroupTestKit.MemberThread m : first) m.join(Duration.ofSeconds(120));

        Path checkpoint = new CheckpointStore(dir).latest(fx.id()).orElseThrow();
        assertEquals(6, CheckpointStore.stepOf(checkpoint), "the group stopped at max_train_steps inner steps");
        Map<Long, GroupTestKit.Published> before = GroupTestKit.rounds(fx.kafka(), fx.topics().global().name());
        long lastRound = before.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
        float[] saved;
        try (Gpt model = Gpt.load(checkpoint)) {
            saved = ParamVector.read(model);
        }
        assertArrayEquals(before.get(lastRound).params(), saved, "the checkpoint holds the last global round");
        CheckpointAnnouncement announced = announcements(fx.kafka()).stream().filter(a -> a.getRunId().equals(fx.id()))
                .reduce((a, b) -> b).orElseThrow();
        assertEquals(lastRound, announced.getRound());
        assertEquals(6, announced.getStep());
        assertEquals(before.get(lastRound).header().getTokens(), announced.getTokensTrained());

        List<GroupTestKit.MemberThread> second = List.of(
                new GroupTestKit.MemberThread(fx.kafka(), settings, fx.topics(), new GroupMember.Run(fx.id(), GroupTestKit.args(10), null, 0, dir), fx.release(), List.of()),
                new GroupTestKit.MemberThread(fx.kafka(), settings, fx.topics(), new GroupMember.Run(fx.id(), GroupTestKit.args(10), null, 0, dir), fx.release(), List.of()));
        for (GroupTestKit.MemberThread m : second) m.join(Duration.ofSeconds(120));

        for (GroupTestKit.MemberThread m : second) {
            long firstRound = m.recorder.roundsStarted.get(0);
            assertEquals(lastRound, firstRound, "a restarted member starts at the last round");
            assertArrayEquals(saved, m.recorder.startParams.get(firstRound), "and from the checkpoint's parameters, bit for bit");
        }
        // the first round after the restart is the outer step from the committed parameters and momentum
        Map<Long, GroupTestKit.Published> after = GroupTestKit.rounds(fx.kafka(), fx.topics().global().name());
        GroupTestKit.Published next = after.get(lastRound + 1);
        float[] momentum = GroupTestKit.rounds(fx.kafka(), fx.topics().outer().name()).get(lastRound).params().clone();
        Map<String, float[]> locals = GroupTestKit.contributionParams(fx.kafka(), fx.topics().contributions().name());
        Map<String, Long> tokens = new TreeMap<>();
        second.forEach(m -> m.recorder.contributions.forEach((id, samples) -> tokens.put(id, (long) samples.size() * GroupTestKit.SEQ)));
        List<OuterStep.Local> used = new ArrayList<>();
        for (String id : next.header().getAccepted()) used.add(new OuterStep.Local(locals.get(id), tokens.get(id)));
        assertArrayEquals(new OuterStep(0.7, 0.9).apply(saved, momentum, used), next.params(),
                "round " + (lastRound + 1) + " = the outer step on the resumed state");

        // data: the accepted contributions of both runs tile each partition from 0, the frontier is where the second began
        Map<String, List<ChunkRange>> ranges = GroupTestKit.contributionRanges(fx.kafka(), fx.topics().contributions().name());
        Map<Integer, Long> reached = new TreeMap<>();
        for (GroupTestKit.Published r : after.values()) {
            for (String id : r.header().getAccepted()) {
                for (ChunkRange c : ranges.get(id)) {
                    if (r.round() == lastRound + 1) {
                        long frontier = announced.getFrontier().stream().filter(f -> f.getPartition() == c.getPartition())
                                .mapToLong(PartitionOffset::getOffset).findFirst().orElse(0);
                        assertEquals(frontier, c.getFrom(), "the resumed group continues at the checkpoint's frontier");
                    }
                    assertEquals(reached.getOrDefault(c.getPartition(), 0L), c.getFrom(), "no gap or overlap in partition " + c.getPartition());
                    reached.put(c.getPartition(), c.getTo());
                }
            }
        }
        assertTrue(new CheckpointStore(dir).latest(fx.id()).map(CheckpointStore::stepOf).orElse(0L) == 10, "the second run ends at 10");
    }

    static List<CheckpointAnnouncement> announcements(KafkaSettings kafka) {
        AvroSerde<CheckpointAnnouncement> serde = new AvroSerde<>(CheckpointAnnouncement.class, new SchemaRegistryClient(kafka.schemaRegistryUrl()));
        List<CheckpointAnnouncement> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(kafka.consumer("announcements-" + System.nanoTime()))) {
            consumer.subscribe(List.of(Topics.CHECKPOINTS.name()));
            long deadline = System.currentTimeMillis() + 4000;
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) out.add(serde.deserialize(r.topic(), r.value()));
            }
        }
        return out;
    }
}
