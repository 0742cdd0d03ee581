package dev.streamparrot.deploy;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.launcher.ProjectPaths;
import dev.streamparrot.launcher.RegistryServer;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The options every local-cluster command shares (home, ports, store, trainers, settings), and what follows from
 * them: the parts to run ({@link #components}), with each process's command line.
 */
final class Ports {
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
        if (withServices && store.isS3() && launchable) all.add(store.component());
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
            if (service.name().equals(LocalCluster.TRAINER) && trainerGroup()) {
                command.add("-Dstreamparrot.trainer.group-id=" + LocalCluster.TRAINER_GROUP); // one model, trained by all members
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
            if (!service.name().equals(LocalCluster.TRAINER)) continue;
            int firstExtra = servicePortBase == null ? port(service) + 1 : servicePortBase + ServiceCatalog.ALL.size();
            for (int member = 2; member <= members; member++) {
                all.add(new Instance(service, LocalCluster.TRAINER + "-" + member, firstExtra + member - 2));
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
                    .filter(f -> f.matches(LocalCluster.TRAINER + "-[0-9]+\\.pid"))
                    .mapToInt(f -> Integer.parseInt(f.substring(LocalCluster.TRAINER.length() + 1, f.length() - ".pid".length())))
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
        return trainerMembers() > 1 || Files.exists(home().resolve(LocalCluster.TRAINER_GROUP_FILE));
    }

    int port(ServiceCatalog.Service service) {
        return servicePortBase == null ? service.port() : servicePortBase + ServiceCatalog.ALL.indexOf(service);
    }
}
