package dev.streamparrot.deploy;

import dev.streamparrot.kafka.DeadLetterReplay;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.topics.Topic;
import dev.streamparrot.launcher.ProjectPaths;
import dev.streamparrot.launcher.RegistryServer;
import dev.streamparrot.topics.Topics;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The one-machine development cluster: a real KRaft Kafka broker, a real schema registry and the five
 * services, all on 127.0.0.1, with their data under {@code .local/} of the checkout.
 */
@Command(name = "streamparrot", mixinStandardHelpOptions = true,
        subcommands = {LocalCluster.Up.class, LocalCluster.Status.class, LocalCluster.Stop.class, LocalCluster.CreateTopics.class,
                LocalCluster.ReplayDeadLetters.class},
        description = "Runs StreamParrot on this machine: broker, schema registry and services on 127.0.0.1.")
public final class LocalCluster {

    static final String TRAINER = "trainer";
    /** The local cluster's trainer group id, given to every member once the home runs more than one trainer. */
    static final String TRAINER_GROUP = "local";
    /** In the home: present once its trainers run as one trainer group (so a later `up` adds members to it). */
    static final String TRAINER_GROUP_FILE = "trainer-group";

    static class Ports {
        @Option(names = "--home", description = "where data, logs and pid files live (default: <checkout>/.local)")
        Path home;
        @Option(names = "--kafka-port", defaultValue = "19092") int kafkaPort;
        @Option(names = "--controller-port", defaultValue = "19093") int controllerPort;
        @Option(names = "--registry-port", defaultValue = "18081") int registryPort;
        @Option(names = "--service-port-base", description = "the services listen on BASE, BASE+1, ... in catalog order rather than their usual ports")
        Integer servicePortBase;
        @Option(names = "--set", paramLabel = "SERVICE:KEY=VALUE",
                description = "one configuration setting of one service, e.g. trainer:streamparrot.trainer.save-checkpoint-steps=10 (repeatable)")
        List<String> serviceSettings = new ArrayList<>();
        @Option(names = "--store", defaultValue = "dir",
                description = "the artifact store: dir (a directory under the home) or s3 (a local S3Proxy) (default: ${DEFAULT-VALUE})")
        String store = "dir"; // picocli sets it from the default too; a Ports made in code (tests) gets it here
        @Option(names = "--s3-port", defaultValue = "19000", description = "the port of the local S3Proxy with --store s3") int s3Port = 19000;

        LocalStore store() {
            return new LocalStore(store, home(), s3Port);
        }

        @Option(names = "--trainers", paramLabel = "N", defaultValue = "1",
                description = "trainer members to run (default 1): trainer, trainer-2, ... on consecutive ports, one trainer group;"
                        + " `up` starts the missing ones and never stops one (`stop trainer-N` does)")
        int trainers = 1;

        Path home() {
            return home != null ? home : ProjectPaths.root().resolve(".local");
        }

        KafkaSettings settings() {
            return new KafkaSettings("127.0.0.1:" + kafkaPort, "http://127.0.0.1:" + registryPort + "/apis/ccompat/v7");
        }

        RegistryBackup registryBackup() {
            return new RegistryBackup("127.0.0.1:" + kafkaPort, "http://127.0.0.1:" + registryPort);
        }

        /**
         * @param launchable   false when only names, ports and health URLs are needed (status, stop)
         * @param withServices false for the broker and the registry alone
         */
        List<Component> components(boolean launchable, boolean withServices) throws IOException {
            Path home = home();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<Component> all = new ArrayList<>();
            Path brokerConfig = KafkaBroker.writeConfig(home.resolve("kafka"), kafkaPort, controllerPort, home.resolve("kafka/data"));
            all.add(new Component("kafka", kafkaPort, null, List.of(java, "-Xmx1g", "-XX:+UseG1GC",
                    "-Dlog4j2.configurationFile=" + home.resolve("kafka/log4j2.properties"),
                    "-cp", System.getProperty("java.class.path"), KafkaBroker.class.getName(), brokerConfig.toString())));
            all.add(new Component("registry", registryPort, "http://127.0.0.1:" + registryPort + "/apis/ccompat/v7/subjects",
                    RegistryServer.command(registryPort, home.resolve("registry"))));
            LocalStore store = store();
            if (withServices && store.isS3() && launchable) all.add(store.component(java));
            // status and stop also see an S3Proxy that an earlier `up --store s3` started
            else if (withServices && (store.isS3() || new Supervisor(home).running("s3").isPresent())) {
                all.add(new Component("s3", s3Port, null, List.of()));
            }
            KafkaSettings settings = settings();
            String preload = null; // built once, and only when a service that needs it is launched
            for (Instance instance : withServices ? instances() : List.<Instance>of()) {
                ServiceCatalog.Service service = instance.service();
                Path module = ProjectPaths.root().resolve(service.module());
                Path classpathFile = module.resolve("target/classpath.txt");
                int port = instance.port();
                String healthUrl = "http://127.0.0.1:" + port + "/health";
                if (!launchable) {
                    all.add(new Component(instance.name(), port, healthUrl, List.of()));
                    continue;
                }
                if (!Files.exists(classpathFile)) {
                    throw new IllegalStateException(service.module() + " is not built: run `mvn -DskipTests install` first");
                }
                String classpath = module.resolve("target/classes") + ":" + Files.readString(classpathFile).trim();
                List<String> command = new ArrayList<>();
                if (service.libtorch()) {
                    if (preload == null) preload = NativePreload.libtorch().orElse("");
                    if (!preload.isEmpty()) command.addAll(List.of("/usr/bin/env", "LD_PRELOAD=" + preload));
                }
                command.addAll(List.of(java, "-Xmx2g", "-Dai.djl.offline=true",
                                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.streamparrot",
                                "-Dmicronaut.server.port=" + port,
                                "-Dmicronaut.server.host=127.0.0.1",
                                "-Dstreamparrot.kafka.bootstrap-servers=" + settings.bootstrapServers(),
                                "-Dstreamparrot.schema-registry.url=" + settings.schemaRegistryUrl(),
                                "-Dstreamparrot.data-dir=" + home.resolve(instance.name())));
                command.addAll(store.jvmSettings());
                service.localConfig().forEach(setting -> command.add("-D" + setting));
                if (service.name().equals(TRAINER) && trainerGroup()) {
                    command.add("-Dstreamparrot.trainer.group-id=" + TRAINER_GROUP); // one model, trained by all members
                    command.add("-Dstreamparrot.trainer.group-member=" + instance.name()); // a restart resumes its inner AdamW
                }
                if (service.name().equals("console")) { // the one service that calls the others
                    for (String peer : List.of("ingest", "trainer", "inference")) {
                        command.add("-Dstreamparrot.console." + peer + "-url=http://127.0.0.1:" + port(ServiceCatalog.named(peer)));
                    }
                }
                for (String setting : serviceSettings) { // SERVICE:KEY=VALUE; trainer: goes to every member
                    int colon = setting.indexOf(':');
                    if (colon < 0 || !setting.contains("=")) {
                        throw new IllegalArgumentException("--set takes SERVICE:KEY=VALUE, not " + setting);
                    }
                    if (setting.substring(0, colon).equals(service.name())) command.add("-D" + setting.substring(colon + 1));
                }
                command.addAll(List.of("-cp", classpath, service.mainClass()));
                all.add(new Component(instance.name(), port, healthUrl, command));
            }
            return all;
        }

        /**
         * One process of a service: its name (that of its pid file, log and data folder) and port. Every service runs
         * once, but the trainer runs as members of one trainer group, each with the same settings (the same
         * {@code streamparrot.trainer.group-id} among them): {@code trainer} on the trainer's port, then
         * {@code trainer-2}, {@code trainer-3}, ... on the ports after it (after the whole catalog's range with
         * {@code --service-port-base}, since the ports after the trainer's belong to other services there).
         */
        record Instance(ServiceCatalog.Service service, String name, int port) {}

        List<Instance> instances() {
            List<Instance> all = new ArrayList<>();
            int members = trainerMembers();
            for (ServiceCatalog.Service service : ServiceCatalog.ALL) {
                all.add(new Instance(service, service.name(), port(service)));
                if (!service.name().equals(TRAINER)) continue;
                int firstExtra = servicePortBase == null ? port(service) + 1 : servicePortBase + ServiceCatalog.ALL.size();
                for (int member = 2; member <= members; member++) {
                    all.add(new Instance(service, TRAINER + "-" + member, firstExtra + member - 2));
                }
            }
            return all;
        }

        /** The members asked for, or more where more run already (status and stop must see every one). */
        int trainerMembers() {
            if (trainers < 1) throw new IllegalArgumentException("--trainers must be at least 1, not " + trainers);
            int recorded = 1;
            try (var pids = Files.list(home().resolve("pids"))) {
                recorded = pids.map(f -> f.getFileName().toString())
                        .filter(f -> f.matches(TRAINER + "-[0-9]+\\.pid"))
                        .mapToInt(f -> Integer.parseInt(f.substring(TRAINER.length() + 1, f.length() - ".pid".length())))
                        .max().orElse(1);
            } catch (IOException noPidsYet) {
                // nothing started yet in this home folder
            }
            return Math.max(trainers, recorded);
        }

        /**
         * Whether the trainers run as one trainer group: once more than one was asked for in this home. A lone
         * trainer trains as before (no outer step); members always share the group id, so two never train two models.
         */
        boolean trainerGroup() {
            return trainerMembers() > 1 || Files.exists(home().resolve(TRAINER_GROUP_FILE));
        }

        int port(ServiceCatalog.Service service) {
            return servicePortBase == null ? service.port() : servicePortBase + ServiceCatalog.ALL.indexOf(service);
        }
    }

    @Command(name = "up", description = "Starts what is not running yet, creates the topics, and waits until all is healthy.")
    static final class Up implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin Ports ports;
        @Option(names = "--no-services", description = "only the broker and the schema registry") boolean noServices;
        @Option(names = "--no-job", description = "start everything, but do not run the main job") boolean noJob;

        @Override
        public Integer call() throws Exception {
            long t0 = System.nanoTime();
            Supervisor supervisor = new Supervisor(ports.home());
            Files.createDirectories(ports.home().resolve("kafka"));
            Files.writeString(ports.home().resolve("kafka/log4j2.properties"),
                    "rootLogger.level=WARN\nrootLogger.appenderRef.out.ref=OUT\nappender.out.type=Console\nappender.out.name=OUT\n"
                            + "appender.out.layout.type=PatternLayout\nappender.out.layout.pattern=[%d] %p %m (%c)%n\n");
            var out = spec.commandLine().getOut();
            if (!noServices && ports.trainerGroup() && !Files.exists(ports.home().resolve(TRAINER_GROUP_FILE))) {
                if (supervisor.running(TRAINER).isPresent()) {
                    throw new IllegalStateException("the running trainer trains alone, not in a trainer group: "
                            + "`./streamparrot stop trainer`, then `up --trainers " + ports.trainerMembers()
                            + "` starts every member in one group (it starts from the latest global model, not the lone trainer's)");
                }
                Files.writeString(ports.home().resolve(TRAINER_GROUP_FILE), TRAINER_GROUP + "\n");
            }
            List<Component> components = ports.components(true, !noServices);
            for (Component component : components) {
                boolean started = supervisor.start(component);
                out.printf("%-10s %s%n", component.name(), started ? "starting on 127.0.0.1:" + component.port() : "already running");
                if (component.name().equals("registry")) {
                    // Services register schemas and read topics at start: the cluster must be complete first.
                    supervisor.awaitReady(components.get(0), Duration.ofSeconds(120));
                    supervisor.awaitReady(component, Duration.ofSeconds(120));
                    List<String> created = TopicAdmin.ensure(ports.settings().bootstrapServers(), Topics.ALL, (short) 1);
                    out.printf("topics     %d in the catalog, %d created now%n", Topics.ALL.size(), created.size());
                    // A registry that lost its files must get its ids back before any service registers a schema.
                    ports.registryBackup().restoreIfEmpty().ifPresent(bytes ->
                            out.printf("registry   was empty: restored its backup from Kafka (%d bytes)%n", bytes));
                    // Every schema the code writes gets its id now, so that the backup below holds every id that
                    // a record written until the next `up` can carry (the command-line tools included).
                    SchemaRegistryClient registry = new SchemaRegistryClient(ports.settings().schemaRegistryUrl());
                    for (Topic topic : Topics.ALL) {
                        if (SpecificRecord.class.isAssignableFrom(topic.valueType())) {
                            registry.register(topic.valueSubject(), SpecificData.get().getSchema(topic.valueType()));
                        }
                    }
                    out.printf("registry   backed up to Kafka (%d bytes)%n", ports.registryBackup().save());
                }
            }
            for (Component component : components) {
                supervisor.awaitReady(component, Duration.ofSeconds(180));
                if (component.name().equals("s3")) ports.store().createBucket();
            }
            out.printf("ready in %.1f s: Kafka at %s, schema registry at %s; logs in %s%n",
                    (System.nanoTime() - t0) / 1e9, ports.settings().bootstrapServers(), ports.settings().schemaRegistryUrl(),
                    ports.home().resolve("logs"));
            out.flush();
            new Status(ports, out).call();
            if (!noServices) out.printf("console    http://127.0.0.1:%d/%n", ports.port(ServiceCatalog.named("console")));
            out.flush();
            if (!noServices && !noJob) new MainJob(ports.settings(), ports.home(), ports.store(), out,
                    "http://127.0.0.1:" + ports.port(ServiceCatalog.named("inference"))).run();
            return 0; // everything asked for answered: awaitReady throws otherwise
        }
    }

    @Command(name = "status", description = "Shows which parts run and answer.")
    static final class Status implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin Ports ports;
        private java.io.PrintWriter out;

        Status() {}

        Status(Ports ports, java.io.PrintWriter out) {
            this.ports = ports;
            this.out = out;
        }

        @Override
        public Integer call() throws Exception {
            if (out == null) out = spec.commandLine().getOut();
            Supervisor supervisor = new Supervisor(ports.home());
            int down = 0;
            for (Component component : ports.components(false, true)) {
                var process = supervisor.running(component.name());
                boolean healthy = process.isPresent() && supervisor.ready(component);
                if (!healthy) down++;
                out.printf("%-10s %-8s %-22s %s%n", component.name(),
                        healthy ? "healthy" : process.isPresent() ? "starting" : "stopped",
                        "127.0.0.1:" + component.port(), process.map(p -> "pid " + p.pid()).orElse(""));
            }
            out.flush();
            return down == 0 ? 0 : 3;
        }
    }

    @Command(name = "stop", description = "Stops every part, or only the named ones (e.g. `stop trainer-3`); data stays in the home folder.")
    static final class Stop implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin Ports ports;
        @CommandLine.Parameters(paramLabel = "NAME", arity = "0..*", description = "parts to stop, as `status` names them (default: all)")
        List<String> names = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            Supervisor supervisor = new Supervisor(ports.home());
            List<Component> components = new ArrayList<>(ports.components(false, true));
            List<String> known = components.stream().map(Component::name).toList();
            for (String name : names) {
                if (!known.contains(name)) throw new IllegalArgumentException("no part named " + name + "; known: " + known);
            }
            if (!names.isEmpty()) components.removeIf(c -> !names.contains(c.name()));
            java.util.Collections.reverse(components);
            var out = spec.commandLine().getOut();
            for (Component component : components) {
                if (component.name().equals("registry")) backUpRegistry(supervisor, out);
                if (supervisor.stop(component.name())) out.printf("%-10s stopped%n", component.name());
            }
            out.flush();
            return 0;
        }

        /** The registry's last state goes to Kafka before it stops; a failure is said, and the stop goes on. */
        private void backUpRegistry(Supervisor supervisor, java.io.PrintWriter out) {
            if (supervisor.running("registry").isEmpty() || supervisor.running("kafka").isEmpty()) return;
            try {
                out.printf("registry   backed up to Kafka (%d bytes)%n", ports.registryBackup().save());
            } catch (IOException | RuntimeException e) {
                out.printf("registry   not backed up: %s%n", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Command(name = "create-topics", description = "Creates the catalog's topics on any cluster (the multi-machine deployments run this once).")
    static final class CreateTopics implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Option(names = "--bootstrap-servers", required = true) String bootstrapServers;
        @Option(names = "--replication-factor", defaultValue = "3") short replicationFactor;

        @Override
        public Integer call() {
            List<String> created = TopicAdmin.ensure(bootstrapServers, Topics.ALL, replicationFactor);
            spec.commandLine().getOut().printf("%d topics in the catalog, created now: %s%n", Topics.ALL.size(), created);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "replay-dead-letters",
            description = "Re-publishes dead letters to their original topics after a fix, exactly once, and marks them replayed.")
    static final class ReplayDeadLetters implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Option(names = "--bootstrap-servers", defaultValue = KafkaSettings.LOCAL_BOOTSTRAP) String bootstrapServers;
        @Option(names = "--schema-registry-url", defaultValue = KafkaSettings.LOCAL_REGISTRY) String registryUrl;
        @Option(names = "--topic", description = "only letters from this original topic") String topic;
        @Option(names = "--since", description = "only letters dead-lettered at or after this ISO instant") Instant since;
        @Option(names = "--until", description = "only letters dead-lettered before this ISO instant") Instant until;
        @Option(names = "--reason-contains", description = "only letters whose reason contains this text") String reasonContains;
        @Option(names = "--dry-run", description = "list what would be replayed; write nothing") boolean dryRun;

        @Override
        public Integer call() {
            var out = spec.commandLine().getOut();
            DeadLetterReplay.Result result = new DeadLetterReplay(new KafkaSettings(bootstrapServers, registryUrl),
                    System.getProperty("user.name") + " (replay-dead-letters)")
                    .run(new DeadLetterReplay.Filter(topic, since, until, reasonContains), dryRun);
            for (DeadLetterReplay.Letter l : result.replayed()) {
                out.printf("%s -> %s-%d (dead-lettered %s by %s: %s)%n", l.key(), l.letter().getTopic(), l.letter().getPartition(),
                        l.letter().getFailedAt(), l.letter().getService(), l.letter().getReason());
            }
            out.printf("%s %d dead letters; %d matching were replayed before; %d unreadable%n", dryRun ? "would replay" : "replayed",
                    result.replayed().size(), result.alreadyReplayed(), result.unreadable());
            out.flush();
            return 0;
        }
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new LocalCluster())
                .setExecutionExceptionHandler((error, commandLine, parsed) -> {
                    commandLine.getErr().println("streamparrot: " + error.getMessage());
                    return 2;
                });
    }
}
