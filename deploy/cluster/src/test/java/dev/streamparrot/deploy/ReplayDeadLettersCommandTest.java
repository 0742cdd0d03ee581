package dev.streamparrot.deploy;

import dev.streamparrot.kafka.DeadLetters;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.topics.Topic;
import dev.streamparrot.topics.Topics;
import dev.streamparrot.schemas.SourceFile;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `streamparrot replay-dead-letters` on the real broker: a dry run lists, a run replays, a second run replays nothing. */
@ExtendWith(RealCluster.class)
class ReplayDeadLettersCommandTest {
    @Test
    void listsReplaysAndThenSkipsWhatWasReplayed() throws Exception {
        var settings = new dev.streamparrot.kafka.KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        String topic = "cli-replay-in";
        TopicAdmin.ensure(settings.bootstrapServers(), List.of(Topics.DEAD_LETTERS, new Topic<>(topic, 1, "delete", "-", SourceFile.class)), (short) 1);
        DeadLetters deadLetters = new DeadLetters("cli-test", new SchemaRegistryClient(settings.schemaRegistryUrl()));
        try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("cli-test"))) {
            producer.send(deadLetters.record(deadLetters.letter(topic, 0, 7L, null, new byte[] {0, 0, 0, 0, 1}, "registry outage"))).get();
            producer.send(deadLetters.record(deadLetters.letter(topic, 0, 8L, null, new byte[] {9}, "truly poison"))).get();
        }
        String[] filter = {"replay-dead-letters", "--bootstrap-servers", settings.bootstrapServers(),
                "--schema-registry-url", settings.schemaRegistryUrl(), "--topic", topic, "--since", "2000-01-01T00:00:00Z",
                "--reason-contains", "outage"};

        String dry = run(filter, "--dry-run");
        assertTrue(dry.contains("would replay 1 dead letters"), dry);
        assertTrue(dry.contains("-> " + topic + "-0"), dry);
        String replayed = run(filter);
        assertTrue(replayed.contains("replayed 1 dead letters; 0 matching were replayed before"), replayed);
        String again = run(filter);
        assertTrue(again.contains("replayed 0 dead letters; 1 matching were replayed before"), again);
    }

    private static String run(String[] args, String... more) {
        StringWriter out = new StringWriter();
        CommandLine cli = LocalCluster.commandLine();
        cli.setOut(new PrintWriter(out));
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.Arrays.stream(more)).toArray(String[]::new);
        assertEquals(0, cli.execute(all), out.toString());
        return out.toString();
    }
}
