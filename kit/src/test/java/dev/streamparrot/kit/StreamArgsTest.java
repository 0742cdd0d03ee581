package dev.streamparrot.kit;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StreamArgsTest {

    @Test
    void theStagesOwnKeysAreOptionsAndTheRestAreStreamsSettings() {
        StreamArgs cli = StreamArgs.parse(new String[] {"127.0.0.1:9092", "http://registry", "/tmp/state",
                "threads=3", "commit.interval.ms=50", "url=a=b"});
        assertEquals("127.0.0.1:9092", cli.kafka().bootstrapServers());
        assertEquals("http://registry", cli.kafka().schemaRegistryUrl());
        assertEquals("/tmp/state", cli.stateDir());
        assertEquals("3", cli.option("threads", "1"));
        assertEquals("packer", cli.option("application.id", "packer"));
        assertEquals(Map.of("commit.interval.ms", "50", "url", "a=b"), cli.streamsSettings(Set.of("threads", "application.id")));
    }

    @Test
    void aMalformedCommandLineIsAClearError() {
        assertThrows(IllegalArgumentException.class, () -> StreamArgs.parse(new String[] {"127.0.0.1:9092", "http://registry"}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StreamArgs.parse(new String[] {"127.0.0.1:9092", "http://registry", "/tmp/state", "threads"}));
        assertEquals("not a key=value pair: threads", e.getMessage());
    }
}
