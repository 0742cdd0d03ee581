package dev.streamparrot.deploy;

import dev.streamparrot.trainer.loop.TrainingArgs;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Docker and Kubernetes do not run on the development machine, so their files are checked against the same
 * sources of truth as the code: the launcher's {@link ServiceCatalog} (module, main class, port), the topic
 * catalog (partitions bound replicas), each service's configuration keys and defaults ({@link ServiceConfig})
 * and the trainer's profiles (the chunk length the packer must cut). Kubernetes manifests are parsed into
 * fabric8's typed model; the compose file as YAML. Each check lists every violation it finds.
 */
class DeploymentManifestsTest {
    static final String DATA_DIR = "streamparrot.data-dir";
    static final String GROUP_ID = "STREAMPARROT_TRAINER_GROUP_ID";
    static final String SERVER_PORT = "micronaut.server.port";

    // ---- Kubernetes ------------------------------------------------------------------------------------------

    /** A pod template with its controller's replicas, and the volume claims a StatefulSet gives each pod. */
    record Workload(String kind, String name, int replicas, PodSpec pod, Set<String> claimTemplates) {}

    @Test
    void kubernetesManifestsRunTheCodeAsConfigured() throws Exception {
        List<HasMetadata> objects = DeploymentFiles.kubernetes(DeploymentFiles.KUBERNETES);
        Map<String, Map<String, String>> configMaps = new HashMap<>();
        Map<String, PersistentVolumeClaim> claims = new HashMap<>();
        List<Workload> workloads = new ArrayList<>();
        for (HasMetadata o : objects) {
            if (o instanceof ConfigMap c) configMaps.put(c.getMetadata().getName(), c.getData());
            if (o instanceof Secret secret) configMaps.put(SECRET + secret.getMetadata().getName(), secretKeys(secret));
            if (o instanceof PersistentVolumeClaim c) claims.put(c.getMetadata().getName(), c);
            if (o instanceof Deployment d) {
                workloads.add(new Workload("Deployment", d.getMetadata().getName(), Objects.requireNonNullElse(d.getSpec().getReplicas(), 1),
                        d.getSpec().getTemplate().getSpec(), Set.of()));
            }
            if (o instanceof StatefulSet s) {
                Set<String> templates = new TreeSet<>();
                if (s.getSpec().getVolumeClaimTemplates() != null) {
                    s.getSpec().getVolumeClaimTemplates().forEach(t -> templates.add(t.getMetadata().getName()));
                }
                workloads.add(new Workload("StatefulSet", s.getMetadata().getName(), Objects.requireNonNullElse(s.getSpec().getReplicas(), 1),
                        s.getSpec().getTemplate().getSpec(), templates));
            }
            if (o instanceof Job j) {
                workloads.add(new Workload("Job", j.getMetadata().getName(), 1, j.getSpec().getTemplate().getSpec(), Set.of()));
            }
        }
        List<String> failures = new ArrayList<>();
        Map<String, Map<String, String>> environments = new HashMap<>(); // service → its environment, for the cross-service checks
        Map<String, String> groupIds = new HashMap<>(); // trainer workload → its group id
        for (ServiceCatalog.Service service : ServiceCatalog.ALL) {
            String where = "k8s " + service.name();
            Optional<Workload> found = workloads.stream().filter(w -> w.name().equals(service.name()) && !w.kind().equals("Job")).findFirst();
            if (found.isEmpty()) {
                failures.add(where + ": no Deployment or StatefulSet");
                continue;
            }
            Workload w = found.get();
            Container c = container(w, service.name(), failures, where);
            if (c == null) continue;
            ServiceConfig config = ServiceConfig.of(service.module());
            Map<String, String> env = environment(c, configMaps);
            environments.put(service.name(), env);
            if (!List.of(service.module(), service.mainClass()).equals(c.getArgs())) {
                failures.add(where + ": args " + c.getArgs() + ", the catalog runs [" + service.module() + ", " + service.mainClass() + "]");
            }
            checkKeys(config, env, where, failures);
            String port = config.value(SERVER_PORT, env).orElse("?");
            for (var probe : Map.of("readiness", Optional.ofNullable(c.getReadinessProbe()), "liveness", Optional.ofNullable(c.getLivenessProbe())).entrySet()) {
                Probe p = probe.getValue().orElse(null);
                if (p == null || p.getHttpGet() == null) {
                    failures.add(where + ": no HTTP " + probe.getKey() + " probe");
                } else if (!"/health".equals(p.getHttpGet().getPath()) || !port.equals(String.valueOf(p.getHttpGet().getPort().getValue()))) {
                    failures.add(where + ": " + probe.getKey() + " probe at " + p.getHttpGet().getPath() + " port "
                            + p.getHttpGet().getPort().getValue() + ", the service serves /health on " + port);
                }
            }
            if (config.stateful()) {
                String dataDir = config.value(DATA_DIR, env).orElse("?");
                Optional<VolumeMount> mount = mountAt(c, dataDir);
                if (mount.isEmpty()) {
                    failures.add(where + ": Kafka Streams stage without a volume at its data dir " + dataDir);
                } else {
                    String volume = mount.get().getName();
                    boolean perPod = w.claimTemplates().contains(volume)
                            || volumes(w).stream().anyMatch(v -> v.getName().equals(volume) && v.getEmptyDir() != null);
                    if (!perPod) {
                        failures.add(where + ": its Kafka Streams state (" + dataDir + ", volume " + volume
                                + ") is not its own per pod (StatefulSet volumeClaimTemplate or emptyDir)");
                    }
                }
            }
            checkReplicas(service.name(), w.replicas(), where, failures);
            if (service.name().equals("trainer")) {
                Map<String, Quantity> limits = c.getResources() == null ? null : c.getResources().getLimits();
                boolean gpu = limits != null && limits.containsKey("nvidia.com/gpu");
                if (gpu && !c.getImage().startsWith(CUDA_IMAGE)) {
                    failures.add(where + ": asks for a GPU but runs " + c.getImage() + ", not the CUDA image " + CUDA_IMAGE);
                }
            }
        }
        for (Workload w : workloads.stream().filter(w -> w.name().equals("trainer") || w.name().startsWith("trainer-")).toList()) {
            Container c = container(w, "trainer", new ArrayList<>(), "");
            if (c != null) groupIds.put(w.kind() + "/" + w.name(), environment(c, configMaps).get(GROUP_ID));
        }
        checkGroupId(groupIds, "k8s", failures);
        checkChunkLength(environments, "k8s", failures);

        // the one-shot jobs: topics from the catalog's command, then the first tokenizer
        List<List<String>> jobArgs = workloads.stream().filter(w -> w.kind().equals("Job"))
                .flatMap(w -> w.pod().getContainers().stream()).map(Container::getArgs).toList();
        if (jobArgs.stream().noneMatch(a -> a.contains("create-topics"))) failures.add("k8s: no Job runs create-topics");
        Optional<Workload> tokenizerJob = workloads.stream().filter(w -> w.kind().equals("Job")
                && w.pod().getContainers().stream().anyMatch(c -> c.getArgs().contains(DeploymentFiles.FIRST_TOKENIZER_JOB))).findFirst();
        if (tokenizerJob.isEmpty()) {
            failures.add("k8s: no Job runs " + DeploymentFiles.FIRST_TOKENIZER_JOB + " (train and activate the first tokenizer)");
        } else {
            Container c = tokenizerJob.get().pod().getContainers().get(0);
            checkKeys(ServiceConfig.of("tokenize-service"), environment(c, configMaps), "k8s first-tokenizer job", failures);
            checkJobOptions(c.getArgs(), "k8s first-tokenizer job", failures);
            environments.put(FIRST_TOKENIZER, environment(c, configMaps));
        }
        checkStore(environments, "k8s", failures);
        checkNoSharedClaim(workloads, claims, failures);
        workloads.stream().filter(w -> w.name().equals("trainer") && !w.kind().equals("Job")).findFirst().ifPresent(w -> {
            Container c = container(w, "trainer", new ArrayList<>(), "");
            if (c == null) return;
            String checkpoints = checkpointDir(environment(c, configMaps));
            Optional<VolumeMount> mount = mountAt(c, checkpoints);
            boolean own = mount.isPresent() && (w.claimTemplates().contains(mount.get().getName())
                    || volumes(w).stream().anyMatch(v -> v.getName().equals(mount.get().getName()) && v.getEmptyDir() != null));
            if (!own) failures.add("k8s trainer: its checkpoint working directory " + checkpoints + " is not on its own volume (emptyDir or claim template)");
        });
        assertEquals(List.of(), failures, "the Kubernetes manifests disagree with the code");
    }

    static final String CUDA_IMAGE = "streamparrot-cuda";

    /** The first-tokenizer job's name among the services' environments. */
    static final String FIRST_TOKENIZER = "first-tokenizer job";
    /** Secrets join the config maps under this prefix: only their keys count, their values are the user's. */
    static final String SECRET = "secret/";

    /**
     * Artifacts (tokenizer releases, checkpoints) go through one S3 store: the first-tokenizer job, tokenize,
     * the trainer and inference all name the same {@code s3://} store, reach it at the same endpoint and have
     * credentials for the AWS SDK's default chain. A {@code file:} store would need one disk that every machine
     * shares; a missing or different store would leave a reader unable to find what the writer announced.
     */
    private static void checkStore(Map<String, Map<String, String>> environments, String where, List<String> failures) {
        Map<String, String> stores = new TreeMap<>();
        Map<String, String> endpoints = new TreeMap<>();
        List<String> users = new ArrayList<>(DeploymentFiles.ARTIFACT_USERS);
        users.add(FIRST_TOKENIZER);
        for (String user : users) {
            Map<String, String> env = environments.get(user);
            if (env == null) continue;
            String store = env.get(DeploymentFiles.STORE_URI);
            if (store == null || !store.startsWith("s3://")) {
                failures.add(where + " " + user + ": " + DeploymentFiles.STORE_URI + " is " + store + ", not an s3:// store that other machines reach");
            }
            stores.put(user, String.valueOf(store));
            endpoints.put(user, String.valueOf(env.get(DeploymentFiles.STORE_ENDPOINT)));
            for (String credential : List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")) {
                if (!env.containsKey(credential)) failures.add(where + " " + user + ": no " + credential + " for the S3 store");
            }
        }
        if (new HashSet<>(stores.values()).size() > 1) failures.add(where + ": the artifact users name different stores " + stores);
        if (new HashSet<>(endpoints.values()).size() > 1) failures.add(where + ": the artifact users reach S3 at different endpoints " + endpoints);
    }

    /** No claim that several pods mount at once: artifacts travel through the store, not a shared disk. */
    private static void checkNoSharedClaim(List<Workload> workloads, Map<String, PersistentVolumeClaim> claims, List<String> failures) {
        claims.forEach((name, claim) -> {
            if (claim.getSpec().getAccessModes().contains("ReadWriteMany")) failures.add("k8s: claim " + name + " is ReadWriteMany (a disk shared across machines)");
        });
        Map<String, String> mountedBy = new HashMap<>();
        for (Workload w : workloads) {
            for (Volume v : volumes(w)) {
                if (v.getPersistentVolumeClaim() == null) continue;
                String claim = v.getPersistentVolumeClaim().getClaimName();
                String other = mountedBy.putIfAbsent(claim, w.name());
                if (other != null) failures.add("k8s: claim " + claim + " is mounted by both " + other + " and " + w.name());
            }
        }
    }

    /** The trainer's local checkpoint working directory (published to the store from there). */
    private static String checkpointDir(Map<String, String> env) {
        ServiceConfig config = ServiceConfig.of("trainer-service");
        return config.value("streamparrot.trainer.checkpoint-dir", env).orElse(config.value(DATA_DIR, env).orElse("?") + "/checkpoints");
    }

    /** The job takes its store from the services' environment: {@code --store} would override it with a path. */
    private static void checkJobOptions(List<String> args, String where, List<String> failures) {
        if (args.contains("--store")) {
            failures.add(where + ": --store " + args.get(args.indexOf("--store") + 1)
                    + " overrides the store of its environment (" + DeploymentFiles.STORE_URI + ")");
        }
    }

    private static Map<String, String> secretKeys(Secret secret) {
        Map<String, String> keys = new LinkedHashMap<>();
        if (secret.getData() != null) secret.getData().keySet().forEach(k -> keys.put(k, "(secret)"));
        if (secret.getStringData() != null) secret.getStringData().keySet().forEach(k -> keys.put(k, "(secret)"));
        return keys;
    }

    private static List<Volume> volumes(Workload w) {
        return w.pod().getVolumes() == null ? List.of() : w.pod().getVolumes();
    }

    /** The mount that holds a path: the longest mount path that is the path or one of its parents. */
    private static Optional<VolumeMount> mountAt(Container c, String path) {
        if (c.getVolumeMounts() == null) return Optional.empty();
        return c.getVolumeMounts().stream()
                .filter(m -> path.equals(m.getMountPath()) || path.startsWith(m.getMountPath().endsWith("/") ? m.getMountPath() : m.getMountPath() + "/"))
                .max((a, b) -> Integer.compare(a.getMountPath().length(), b.getMountPath().length()));
    }

    private static Container container(Workload w, String name, List<String> failures, String where) {
        Optional<Container> c = w.pod().getContainers().stream().filter(x -> x.getName().equals(name)).findFirst();
        if (c.isEmpty()) failures.add(where + ": no container named " + name);
        return c.orElse(null);
    }

    /** A container's environment: its config maps and secrets first, then its own variables, as Kubernetes resolves them. */
    private static Map<String, String> environment(Container c, Map<String, Map<String, String>> configMaps) {
        Map<String, String> env = new LinkedHashMap<>();
        if (c.getEnvFrom() != null) {
            for (EnvFromSource from : c.getEnvFrom()) {
                if (from.getConfigMapRef() != null) env.putAll(configMaps.getOrDefault(from.getConfigMapRef().getName(), Map.of()));
                if (from.getSecretRef() != null) env.putAll(configMaps.getOrDefault(SECRET + from.getSecretRef().getName(), Map.of()));
            }
        }
        if (c.getEnv() != null) for (EnvVar v : c.getEnv()) env.put(v.getName(), v.getValueFrom() != null ? "(secret)" : v.getValue());
        return env;
    }

    // ---- compose ---------------------------------------------------------------------------------------------

    @Test
    void composeFileRunsTheCodeAsConfigured() throws Exception {
        Map<String, Map<String, Object>> services = DeploymentFiles.composeServices(DeploymentFiles.COMPOSE);
        List<String> failures = new ArrayList<>();
        Map<String, Map<String, String>> environments = new HashMap<>();
        Map<String, String> dataVolumes = new HashMap<>(); // named volume at a stage's data dir → the service using it
        for (ServiceCatalog.Service service : ServiceCatalog.ALL) {
            String where = "compose " + service.name();
            Map<String, Object> s = services.get(service.name());
            if (s == null) {
                failures.add(where + ": missing");
                continue;
            }
            ServiceConfig config = ServiceConfig.of(service.module());
            Map<String, String> env = DeploymentFiles.environment(s);
            environments.put(service.name(), env);
            if (!List.of(service.module(), service.mainClass()).equals(DeploymentFiles.command(s, "command"))) {
                failures.add(where + ": command " + DeploymentFiles.command(s, "command") + ", the catalog runs ["
                        + service.module() + ", " + service.mainClass() + "]");
            }
            checkKeys(config, env, where, failures);
            int replicas = DeploymentFiles.replicas(s);
            checkReplicas(service.name(), replicas, where, failures);
            String dataDir = config.value(DATA_DIR, env).orElse("?");
            Map<String, String> mounts = DeploymentFiles.mounts(s);
            String volume = mounts.entrySet().stream().filter(m -> dataDir.equals(m.getKey()) || dataDir.startsWith(m.getKey() + "/"))
                    .map(Map.Entry::getValue).findFirst().orElse("");
            if (config.stateful() && !volume.isEmpty()) {
                if (replicas > 1) {
                    failures.add(where + ": " + replicas + " replicas share the volume " + volume + " at their Kafka Streams state dir " + dataDir);
                }
                String other = dataVolumes.put(volume, service.name());
                if (other != null) failures.add(where + ": shares its state volume " + volume + " with " + other);
            }
            if (!volume.isEmpty()) {
                String other = dataVolumes.putIfAbsent(volume, service.name());
                if (other != null && !other.equals(service.name())) {
                    failures.add(where + ": its data dir " + dataDir + " is on the volume " + volume + ", which is " + other + "'s data dir too");
                }
            }
            if (service.name().equals("trainer") && String.valueOf(s.get("deploy")).contains("gpu")) {
                Object build = s.get("build");
                boolean cuda = build instanceof Map<?, ?> b && "cuda".equals(b.get("target"));
                if (!cuda) failures.add(where + ": reserves a GPU but builds the CPU image (build.target is not cuda)");
            }
        }
        Map<String, String> groupIds = new HashMap<>();
        services.forEach((name, s) -> {
            if (DeploymentFiles.command(s, "command").contains("dev.streamparrot.trainer.TrainerApplication")) {
                groupIds.put(name, DeploymentFiles.environment(s).get(GROUP_ID));
            }
        });
        checkGroupId(groupIds, "compose", failures);
        checkChunkLength(environments, "compose", failures);

        List<String> entrypoints = services.values().stream().flatMap(s -> DeploymentFiles.command(s, "entrypoint").stream()).toList();
        if (!entrypoints.contains("create-topics")) failures.add("compose: no service runs create-topics");
        Optional<Map.Entry<String, Map<String, Object>>> job = services.entrySet().stream()
                .filter(e -> DeploymentFiles.command(e.getValue(), "command").contains(DeploymentFiles.FIRST_TOKENIZER_JOB)).findFirst();
        if (job.isEmpty()) {
            failures.add("compose: no one-shot service runs " + DeploymentFiles.FIRST_TOKENIZER_JOB + " (train and activate the first tokenizer)");
        } else {
            Map<String, Object> s = job.get().getValue();
            checkKeys(ServiceConfig.of("tokenize-service"), DeploymentFiles.environment(s), "compose " + job.get().getKey(), failures);
            checkJobOptions(DeploymentFiles.command(s, "command"), "compose " + job.get().getKey(), failures);
            environments.put(FIRST_TOKENIZER, DeploymentFiles.environment(s));
        }
        checkStore(environments, "compose", failures);
        environments.forEach((name, env) -> {
            String endpoint = env.get(DeploymentFiles.STORE_ENDPOINT);
            if (endpoint != null && !services.containsKey(URI.create(endpoint).getHost())) {
                failures.add("compose " + name + ": its S3 endpoint " + endpoint + " is no service of the file");
            }
        });
        // one container per named volume: the containers may run on different machines, a volume is one machine's disk
        Map<String, String> volumeUsers = new HashMap<>();
        services.forEach((name, service) -> DeploymentFiles.mounts(service).values().forEach(volume -> {
            String other = volumeUsers.putIfAbsent(volume, name);
            if (other != null && !other.equals(name)) failures.add("compose: volume " + volume + " is shared by " + other + " and " + name);
        }));
        Map<String, Object> trainer = services.get("trainer");
        if (trainer != null) {
            Map<String, String> env = DeploymentFiles.environment(trainer);
            String checkpoints = checkpointDir(env);
            String dataDir = ServiceConfig.of("trainer-service").value(DATA_DIR, env).orElse("?");
            if (!checkpoints.equals(dataDir) && !checkpoints.startsWith(dataDir + "/")) {
                failures.add("compose trainer: its checkpoint working directory " + checkpoints + " is not under its own data dir " + dataDir);
            }
        }
        assertEquals(List.of(), failures, "the compose file disagrees with the code");
    }

    // ---- shared checks ---------------------------------------------------------------------------------------

    /** Every variable names a key the service reads (Micronaut would ignore a misspelt one silently). */
    private static void checkKeys(ServiceConfig config, Map<String, String> env, String where, List<String> failures) {
        for (String variable : env.keySet()) {
            if (DeploymentFiles.NOT_CONFIG.contains(variable)) continue;
            if (config.keyOf(variable).isEmpty()) failures.add(where + ": " + variable + " names no configuration key of " + config.module());
        }
    }

    private static void checkReplicas(String service, int replicas, String where, List<String> failures) {
        var input = DeploymentFiles.INPUT.get(service);
        if (input != null && replicas > input.partitions()) {
            failures.add(where + ": " + replicas + " replicas, but its input " + input.name() + " has " + input.partitions() + " partitions");
        }
    }

    /** The trainer group's members find each other by one explicit group id. */
    private static void checkGroupId(Map<String, String> groupIds, String where, List<String> failures) {
        if (groupIds.isEmpty()) failures.add(where + ": no trainer");
        groupIds.forEach((member, id) -> {
            if (id == null || id.isBlank()) failures.add(where + " " + member + ": no " + GROUP_ID);
        });
        if (groupIds.values().stream().filter(Objects::nonNull).distinct().count() > 1) {
            failures.add(where + ": trainers in different groups " + groupIds);
        }
    }

    /** The packer cuts chunks exactly as long as the sequences the trainer's profile trains on. */
    private static void checkChunkLength(Map<String, Map<String, String>> environments, String where, List<String> failures) {
        Map<String, String> packer = environments.get("packer");
        Map<String, String> trainer = environments.get("trainer");
        if (packer == null || trainer == null) return;
        int chunk = Integer.parseInt(ServiceConfig.of("packer-service").value("streamparrot.packer.seq-length", packer).orElseThrow());
        ServiceConfig trainerConfig = ServiceConfig.of("trainer-service");
        String profile = trainerConfig.value("streamparrot.trainer.profile", trainer).orElseThrow();
        Map<String, String> overrides = new HashMap<>();
        trainerConfig.value("streamparrot.trainer.seq-length", trainer).ifPresent(v -> overrides.put("seq_length", v));
        int seq = TrainingArgs.profile(profile).with(overrides).seqLength();
        if (chunk != seq) {
            failures.add(where + ": the packer cuts " + chunk + "-token chunks (streamparrot.packer.seq-length), the trainer's profile "
                    + profile + " trains on " + seq + " (streamparrot.trainer.seq-length): every chunk would be refused");
        }
    }

    @Test
    void dockerfileCopiesWhatExists() throws Exception {
        // No Docker engine here: the Dockerfile is checked statically; the image's layout itself is built and run
        // by DockerLayoutTest (deploy/docker/layout.sh, entrypoint.sh).
        List<String> failures = new ArrayList<>();
        List<String> lines = Files.readAllLines(DeploymentFiles.root().resolve(DeploymentFiles.DOCKERFILE));
        for (String line : lines) {
            String t = line.trim();
            if (!t.startsWith("COPY ") || t.contains("--from=")) continue;
            String[] parts = t.substring(5).trim().split("\\s+");
            for (int i = 0; i < parts.length - 1; i++) {
                if (parts[i].startsWith("--")) continue;
                if (!Files.exists(DeploymentFiles.root().resolve(parts[i]))) failures.add("Dockerfile: COPY " + parts[i] + " does not exist");
            }
        }
        if (lines.stream().noneMatch(l -> l.matches("FROM .* AS cuda\\s*"))) failures.add("Dockerfile: no cuda stage for the GPU trainer");
        if (lines.stream().noneMatch(l -> l.contains("libtcmalloc-minimal4"))) failures.add("Dockerfile: no tcmalloc (libtcmalloc-minimal4)");
        if (lines.stream().noneMatch(l -> l.contains("layout.sh"))) {
            failures.add("Dockerfile: the image's classpath files are Maven's (they name the build stage's ~/.m2), not laid out for /app");
        }
        assertEquals(List.of(), failures, "the Dockerfile");
    }
}
