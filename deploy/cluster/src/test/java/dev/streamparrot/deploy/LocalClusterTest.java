package dev.streamparrot.deploy;

import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.topics.Topics;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `up` starts a real broker and registry and creates the catalog; twice is harmless; `stop` stops; `stop`
 * then `up` keeps the registry's ids; a taken port is named.
 */
class LocalClusterTest {
    @Test
    void upStatusStopAndUpAgain(@TempDir Path home) throws Exception {
        String[] ports = {"--home", home.toString(), "--kafka-port", String.valueOf(RealCluster.freePort()),
                "--controller-port", String.valueOf(RealCluster.freePort()), "--registry-port", String.valueOf(RealCluster.freePort())};
        try {
            assertEquals(0, run("up", "--no-services", ports).exitCode, "first up");
            Run again = run("up", "--no-services", ports);
            assertEquals(0, again.exitCode);
            assertTrue(again.out.contains("kafka      already running"), again.out);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:" + ports[3]))) {
                Set<String> topics = admin.listTopics().names().get();
                Topics.ALL.forEach(t -> assertTrue(topics.contains(t.name()), t.name()));
            }
            Run status = run("status", null, ports);
            assertTrue(status.out.contains("kafka      healthy"), status.out);
            assertTrue(status.out.contains("registry   healthy"), status.out);
            assertTrue(Files.exists(home.resolve("kafka/data/meta.properties")), "broker data is kept under the home folder");

            // one named part stops alone (as `stop trainer-3` takes one trainer member away); a name it does not know is refused
            assertEquals(0, run("stop", "registry", ports).exitCode);
            Run partly = run("status", null, ports);
            assertTrue(partly.out.contains("kafka      healthy") && partly.out.contains("registry   stopped"), partly.out);
            Run unknown = run("stop", "trainer-9", ports);
            assertEquals(2, unknown.exitCode);
            assertTrue(unknown.err.contains("no part named trainer-9"), unknown.err);
        } finally {
            assertEquals(0, run("stop", null, ports).exitCode);
        }
        Run stopped = run("status", null, ports);
        assertTrue(stopped.out.contains("kafka      stopped"), stopped.out);
    }

    /**
     * What `stop` then `up` must keep: the ids that records on the topics carry, from the registry's own
     * file, and from its backup in Kafka when the registry's files are gone.
     */
    @Test
    void stopThenUpKeepsRegistryIds(@TempDir Path home) throws Exception {
        int registryPort = RealCluster.freePort();
        String[] ports = {"--home", home.toString(), "--kafka-port", String.valueOf(RealCluster.freePort()),
                "--controller-port", String.valueOf(RealCluster.freePort()), "--registry-port", String.valueOf(registryPort)};
        String url = "http://127.0.0.1:" + registryPort + "/apis/ccompat/v7";
        Schema first = record("First");
        Schema second = record("Second");
        try {
            assertEquals(0, run("up", "--no-services", ports).exitCode, "first up");
            SchemaRegistryClient client = new SchemaRegistryClient(url);
            int firstId = client.register("first-value", first);
            int secondId = client.register("second-value", second);
            Run stop = run("stop", null, ports);
            assertTrue(stop.out.contains("registry   backed up to Kafka"), stop.out);

            assertEquals(0, run("up", "--no-services", ports).exitCode, "up after stop");
            SchemaRegistryClient fresh = new SchemaRegistryClient(url);
            assertEquals(first, fresh.schemaById(firstId));
            assertEquals(second, fresh.schemaById(secondId));
            assertTrue(Files.exists(home.resolve("registry/registry.mv.db")), "registry data is kept under the home folder");

            assertEquals(0, run("stop", null, ports).exitCode);
            deleteTree(home.resolve("registry"));
            Run up = run("up", "--no-services", ports);
            assertEquals(0, up.exitCode, up.out + up.err);
            assertTrue(up.out.contains("registry   was empty: restored its backup from Kafka"), up.out);
            SchemaRegistryClient restored = new SchemaRegistryClient(url);
            assertEquals(first, restored.schemaById(firstId));
            assertEquals(second, restored.schemaById(secondId));
            assertEquals(firstId, restored.register("first-value", first), "the same schema keeps its id");
            int thirdId = restored.register("third-value", record("Third"));
            assertTrue(thirdId != firstId && thirdId != secondId, "a new schema got id " + thirdId + ", which is in use");

            // The registry killed and its files lost with no stop to back it up: every schema that the code
            // writes was registered and backed up at `up`, so every id a record can carry comes back.
            Map<String, Integer> catalogIds = catalogIds(url);
            killRegistry(home);
            deleteTree(home.resolve("registry"));
            Run upAfterLoss = run("up", "--no-services", ports);
            assertEquals(0, upAfterLoss.exitCode, upAfterLoss.out + upAfterLoss.err);
            assertTrue(upAfterLoss.out.contains("registry   was empty: restored its backup from Kafka"), upAfterLoss.out);
            assertEquals(catalogIds, catalogIds(url), "ids of the catalog's schemas after losing the registry's files");
        } finally {
            assertEquals(0, run("stop", null, ports).exitCode);
        }
    }

    /** The id of each catalog topic's value schema, as a fresh client finds it. */
    private static Map<String, Integer> catalogIds(String url) {
        SchemaRegistryClient client = new SchemaRegistryClient(url);
        Map<String, Integer> ids = new java.util.TreeMap<>();
        for (var topic : Topics.ALL) {
            if (topic.isAvro()) {
                ids.put(topic.valueSubject(), client.register(topic.valueSubject(),
                        org.apache.avro.specific.SpecificData.get().getSchema(topic.valueType())));
            }
        }
        return ids;
    }

    private static void killRegistry(Path home) throws Exception {
        ProcessHandle registry = new Supervisor(home).running("registry").orElseThrow();
        new ProcessBuilder("kill", "-9", Long.toString(registry.pid())).start().waitFor();
        while (registry.isAlive()) Thread.sleep(50);
    }

    private static Schema record(String name) {
        return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"" + name + "\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"}]}");
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /**
     * `--trainers N` makes members trainer, trainer-2, ... on consecutive ports that no other service uses, and
     * `status`/`stop` see every member that was started, also when asked for fewer (as after `up --trainers 3` and a
     * later plain `status`).
     */
    @Test
    void trainerMembersTakeConsecutivePortsAndEveryStartedOneIsListed(@TempDir Path home) throws Exception {
        Ports ports = new Ports();
        ports.home = home;
        ports.kafkaPort = 19092; // picocli's defaults, which a Ports made here does not get
        ports.registryPort = 18081;
        ports.trainers = 3;
        assertEquals(List.of("kafka", "registry", "ingest", "tokenize", "packer", "trainer", "trainer-2", "trainer-3",
                "inference", "console"), names(ports));
        assertEquals(List.of(8084, 8085, 8086), trainerPorts(ports));
        ports.servicePortBase = 28000; // BASE..BASE+5 are the catalog's, so the extra members come after them
        assertEquals(List.of(28003, 28006, 28007), trainerPorts(ports));
        assertEquals(ports.components(false, true).size(),
                ports.components(false, true).stream().map(Component::port).distinct().count(), "every part has its own port");

        Files.createDirectories(home.resolve("pids"));
        Files.writeString(home.resolve("pids/trainer-4.pid"), "999999999"); // recorded by an earlier `up --trainers 4`
        ports.trainers = 1;
        assertEquals(List.of("trainer", "trainer-2", "trainer-3", "trainer-4"),
                names(ports).stream().filter(n -> n.startsWith("trainer")).toList());
        ports.trainers = 0;
        assertEquals("--trainers must be at least 1, not 0",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> names(ports)).getMessage());
    }

    /**
     * A lone trainer trains alone; once a home runs more than one, every member gets the one trainer group id (so
     * two trainers never train two models under one run id), and a later `up` without --trainers keeps the group.
     */
    @Test
    void moreThanOneTrainerMakesOneTrainerGroupAndTheHomeRemembersIt(@TempDir Path home) throws Exception {
        Ports ports = new Ports();
        ports.home = home;
        ports.trainers = 1;
        org.junit.jupiter.api.Assertions.assertFalse(ports.trainerGroup(), "one trainer: a plain trainer, as before");
        ports.trainers = 2;
        org.junit.jupiter.api.Assertions.assertTrue(ports.trainerGroup());
        ports.trainers = 1;
        Files.writeString(home.resolve(LocalCluster.TRAINER_GROUP_FILE), LocalCluster.TRAINER_GROUP + "\n"); // written by that `up`
        org.junit.jupiter.api.Assertions.assertTrue(ports.trainerGroup(), "a group stays a group, also as one member");
    }

    private static List<String> names(Ports ports) throws Exception {
        return ports.components(false, true).stream().map(Component::name).toList();
    }

    private static List<Integer> trainerPorts(Ports ports) throws Exception {
        return ports.components(false, true).stream().filter(c -> c.name().startsWith("trainer")).map(Component::port).toList();
    }

    @Test
    void aTakenPortIsReportedClearly(@TempDir Path home) throws Exception {
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress("127.0.0.1", 0));
            Run up = run("up", "--no-services", "--home", home.toString(), "--kafka-port", String.valueOf(squatter.getLocalPort()));
            assertEquals(2, up.exitCode);
            assertTrue(up.err.contains("port " + squatter.getLocalPort() + " on 127.0.0.1, which kafka needs, is already taken"), up.err);
        }
    }

    record Run(int exitCode, String out, String err) {}

    private static Run run(String command, String flag, String... options) {
        String[] args = new String[options.length + (flag == null ? 1 : 2)];
        args[0] = command;
        int i = 1;
        if (flag != null) args[i++] = flag;
        System.arraycopy(options, 0, args, i, options.length);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = LocalCluster.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
