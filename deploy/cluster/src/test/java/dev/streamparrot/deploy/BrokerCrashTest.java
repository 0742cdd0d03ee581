package dev.streamparrot.deploy;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.topics.Topic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The local broker runs in its own process; killing it with SIGKILL while a producer writes, then
 * starting it again, loses no record the broker acknowledged (acks=all, idempotent producer, and the
 * broker's log on disk).
 */
class BrokerCrashTest {
    @Test
    void noAcknowledgedRecordIsLostWhenTheBrokerIsKilledMidProduce(@TempDir Path home) throws Exception {
        int port = RealCluster.freePort();
        int controllerPort = RealCluster.freePort();
        Path config = KafkaBroker.writeConfig(home.resolve("kafka"), port, controllerPort, home.resolve("kafka/data"));
        Component broker = new Component("kafka", port, null, List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), KafkaBroker.class.getName(), config.toString()));
        Supervisor supervisor = new Supervisor(home);
        KafkaSettings settings = new KafkaSettings("127.0.0.1:" + port, "http://unused");
        try {
            supervisor.start(broker);
            supervisor.awaitReady(broker, Duration.ofSeconds(90));
            TopicAdmin.ensure(settings.bootstrapServers(), List.of(new Topic<>("crash", 2, "delete", "-", Object.class)), (short) 1);

            Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicInteger failed = new AtomicInteger();
            int total = 6000;
            try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("crash-test"))) {
                for (int i = 0; i < total; i++) {
                    int value = i;
                    producer.send(new ProducerRecord<>("crash", ByteBuffer.allocate(4).putInt(value).array()), (meta, error) -> {
                        if (error == null) acknowledged.add(value); else failed.incrementAndGet();
                    });
                    if (i == total / 3) {
                        long pid = supervisor.running("kafka").orElseThrow().pid();
                        new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
                        while (supervisor.running("kafka").isPresent()) Thread.sleep(50);
                        supervisor.start(broker);
                    }
                    if (i % 100 == 0) Thread.sleep(5);
                }
                producer.flush();
            }
            System.out.printf("acknowledged %d of %d, failed %d%n", acknowledged.size(), total, failed.get());
            assertTrue(acknowledged.size() > total / 3, "the producer went on after the restart");

            Set<Integer> read = new HashSet<>();
            int duplicates = 0;
            try (var consumer = new KafkaConsumer<byte[], byte[]>(settings.consumer("crash-reader"))) {
                consumer.subscribe(List.of("crash"));
                long deadline = System.currentTimeMillis() + 60_000;
                while (!read.containsAll(acknowledged) && System.currentTimeMillis() < deadline) {
                    for (var record : consumer.poll(Duration.ofMillis(300))) {
                        if (!read.add(ByteBuffer.wrap(record.value()).getInt())) duplicates++;
                    }
                }
            }
            Set<Integer> lost = new HashSet<>(acknowledged);
            lost.removeAll(read);
            assertEquals(Set.of(), lost, "acknowledged records missing after the crash");
            assertEquals(0, duplicates, "the idempotent producer wrote no duplicates");
        } finally {
            supervisor.stop("kafka");
        }
    }
}
