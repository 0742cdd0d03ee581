package dev.streamparrot.trainer.group;

import dev.streamparrot.kafka.Breakers;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kit.TopicSnapshot;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.schemas.DeadLetter;
import dev.streamparrot.schemas.TrainerFragment;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.testkit.TcpRelay;
import dev.streamparrot.topics.Topics;
import dev.streamparrot.trainer.checkpoint.CheckpointStore;
import dev.streamparrot.trainer.loop.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An outage is not poison: the schema registry goes away mid-run, exactly when the group first needs it again
 * (the first checkpoint announcement of round 2). The member pauses with its breaker open (health DOWN), loses
 * nothing and dead-letters nothing, and once the registry is back the same round carries on: every round is
 * published once, every checkpoint is announced once, and the chunks are trained exactly once.
 */
@ExtendWith(RealCluster.class)
class GroupOutageTest {
    @Test
    void aRegistryOutagePausesTheGroupAndTheSameRoundCarriesOnAfterwards(@TempDir Path dir) throws Exception {
        GroupTestKit.Fixture fx = GroupTestKit.fixture(dir, "outage", 80, 8, 5);
        int registryPort = URI.create(RealCluster.registryUrl()).getPort(), nowhere = RealCluster.freePort();
        GroupSettings settings = new GroupSettings(fx.id(), 2, 0.7, 0.9, 1.0, Duration.ofSeconds(30), 2, Duration.ofSeconds(1));

        try (TcpRelay relay = new TcpRelay(registryPort)) {
            URI url = URI.create(RealCluster.registryUrl());
            KafkaSettings viaRelay = new KafkaSettings(fx.kafka().bootstrapServers(),
                    new URI(url.getScheme(), null, url.getHost(), relay.port(), url.getPath(), null, null).toString());
            // the registry goes away as round 1 starts: closing it publishes round 2, whose checkpoint is the first announcement
            GroupListener cut = new GroupListener() {
                @Override
                public void roundStarted(long round, float[] params) {
                    if (round == 1) relay.switchTo(nowhere);
                }
            };
            GroupTestKit.MemberThread member = new GroupTestKit.MemberThread(viaRelay, settings, fx.topics(),
                    new GroupMember.Run(fx.id(), GroupTestKit.args(8), null, 0, dir), fx.release(), List.<TrainingListener>of(cut));

            String breaker = RegistryOutage.breaker(fx.id());
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!Breakers.isOpen(breaker) && member.thread.isAlive() && System.nanoTime() < deadline) Thread.sleep(50);
            assertTrue(Breakers.isOpen(breaker), "the member reports the outage: " + Breakers.open() + ", failure " + member.failure);
            Thread.sleep(3000);
            assertTrue(member.thread.isAlive(), "an outage does not end the member: " + member.failure);
            assertEquals(1, member.status.snapshot().round(), "paused in round 1, whose closing waits to announce its checkpoint: " + member.status.snapshot());
            assertTrue(Breakers.open().get(breaker).contains("unreachable"), Breakers.open().toString());

            relay.switchTo(registryPort);
            member.join(Duration.ofSeconds(120));
            assertFalse(Breakers.isOpen(breaker), "the breaker closes once the registry answers");
        }

        Map<Long, Long> headersPerRound = GroupTestKit.fragments(fx.kafka(), fx.topics().global().name()).stream()
                .filter(f -> f.getIndex() == 0).collect(Collectors.groupingBy(TrainerFragment::getRound, TreeMap::new, Collectors.counting()));
        assertEquals(Map.of(0L, 1L, 1L, 1L, 2L, 1L, 3L, 1L, 4L, 1L), headersPerRound, "rounds 0..4, each published once");
        List<Long> announced = GroupRestartTest.announcements(fx.kafka()).stream().filter(a -> a.getRunId().equals(fx.id()))
                .map(CheckpointAnnouncement::getStep).toList();
        assertEquals(List.of(4L, 8L), announced, "the checkpoint that waited out the outage is announced once, and the next one too");
        assertEquals(8, new CheckpointStore(dir).latest(fx.id()).map(CheckpointStore::stepOf).orElseThrow());
        GroupTestKit.assertTrainedOnce(fx.kafka(), fx.topics());
        assertEquals(List.of(), deadLettersAbout(fx.kafka(), fx.topics()), "an outage dead-letters nothing");
    }

    /** The dead letters about any of the group's topics. */
    private static List<String> deadLettersAbout(KafkaSettings kafka, GroupTopics topics) {
        List<String> names = topics.all().stream().map(dev.streamparrot.topics.Topic::name).toList();
        AvroSerde<DeadLetter> serde = new AvroSerde<>(DeadLetter.class, new SchemaRegistryClient(kafka.schemaRegistryUrl()));
        List<String> out = new ArrayList<>();
        TopicSnapshot.read(kafka, "outage-letters-" + System.nanoTime(), List.of(Topics.DEAD_LETTERS.name()), TopicSnapshot.decoding(serde),
                (record, letter) -> { if (names.contains(String.valueOf(letter.getTopic()))) out.add(letter.getTopic() + ": " + letter.getReason()); });
        return out;
    }
}
