package dev.streamparrot.testkit;

import dev.streamparrot.launcher.RegistryServer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * JUnit 5 fixture: a real KRaft Kafka broker and a real schema registry, started once per test JVM on
 * first use and stopped when the JVM's tests end. Use {@code @ExtendWith(RealCluster.class)}, then
 * {@link #bootstrapServers()} and {@link #registryUrl()}.
 */
public final class RealCluster implements BeforeAllCallback {
    private static KafkaClusterTestKit kafka;
    private static RegistryServer registry;

    public static synchronized String bootstrapServers() {
        requireStarted();
        return kafka.bootstrapServers();
    }

    public static synchronized String registryUrl() {
        requireStarted();
        return registry.confluentUrl();
    }

    /** The broker itself, for tests that stop and restart it. */
    public static synchronized KafkaClusterTestKit kafka() {
        requireStarted();
        return kafka;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        synchronized (RealCluster.class) {
            if (kafka != null) return;
            long t0 = System.nanoTime();
            kafka = startKafka();
            // The registry keeps its state on disk as the local cluster's does, so tests run the storage users run.
            Path registryHome = Files.createTempDirectory("streamparrot-registry");
            registry = RegistryServer.start(freePort(), registryHome.resolve("data"), registryHome.resolve("registry.log"),
                    Duration.ofSeconds(120));
            System.out.printf("RealCluster: Kafka at %s, schema registry at %s, up in %.1f s%n",
                    kafka.bootstrapServers(), registry.confluentUrl(), (System.nanoTime() - t0) / 1e9);
        }
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(RealCluster.class,
                key -> new Shutdown());
    }

    private static KafkaClusterTestKit startKafka() throws Exception {
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "false")
                .setConfigProp("message.max.bytes", String.valueOf(8 * 1024 * 1024))
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return cluster;
    }

    /** Runs when the test JVM's last test is done. */
    private static final class Shutdown implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() throws Exception {
            synchronized (RealCluster.class) {
                if (registry != null) registry.close();
                if (kafka != null) kafka.close();
                registry = null;
                kafka = null;
            }
        }
    }

    private static void requireStarted() {
        if (kafka == null) throw new IllegalStateException("annotate the test class with @ExtendWith(RealCluster.class)");
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
