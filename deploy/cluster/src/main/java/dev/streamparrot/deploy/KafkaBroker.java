package dev.streamparrot.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A single-node KRaft Kafka broker (broker and controller in one process) on 127.0.0.1, whose data
 * stays in one folder across restarts. {@link #main} is the entry point of the broker's own JVM.
 */
public final class KafkaBroker {
    private KafkaBroker() {}

    /** Writes server.properties for a broker on these ports with its log in {@code dataDir}. */
    public static Path writeConfig(Path dir, int port, int controllerPort, Path dataDir) throws IOException {
        Files.createDirectories(dir);
        String config = """
                # Written by the StreamParrot local cluster: a single-node KRaft broker, loopback only.
                process.roles=broker,controller
                node.id=1
                controller.quorum.bootstrap.servers=127.0.0.1:%2$d
                listeners=PLAINTEXT://127.0.0.1:%1$d,CONTROLLER://127.0.0.1:%2$d
                advertised.listeners=PLAINTEXT://127.0.0.1:%1$d
                controller.listener.names=CONTROLLER
                inter.broker.listener.name=PLAINTEXT
                listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
                log.dirs=%3$s
                num.partitions=1
                offsets.topic.replication.factor=1
                transaction.state.log.replication.factor=1
                transaction.state.log.min.isr=1
                share.coordinator.state.topic.replication.factor=1
                share.coordinator.state.topic.min.isr=1
                group.initial.rebalance.delay.ms=0
                auto.create.topics.enable=false
                message.max.bytes=8388608
                """.formatted(port, controllerPort, dataDir.toAbsolutePath());
        Path file = dir.resolve("server.properties");
        Files.writeString(file, config);
        return file;
    }

    /** Formats the storage on first start, then runs the broker until the process is stopped. */
    public static void main(String[] args) throws Exception {
        Path config = Path.of(args[0]);
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(config)) {
            properties.load(in);
        }
        Path logDir = Path.of(properties.getProperty("log.dirs"));
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
            int rc = kafka.tools.StorageTool.execute(
                    new String[] {"format", "--standalone", "-t", clusterId, "-c", config.toString()}, System.out);
            if (rc != 0) throw new IllegalStateException("formatting " + logDir + " failed with " + rc);
        }
        kafka.Kafka.main(new String[] {config.toString()});
    }
}
