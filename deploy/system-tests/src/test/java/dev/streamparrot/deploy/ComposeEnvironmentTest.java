package dev.streamparrot.deploy;

import dev.streamparrot.artifacts.Manifest;
import dev.streamparrot.artifacts.S3Settings;
import dev.streamparrot.artifacts.S3Store;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.launcher.S3ProxyServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compose file's configuration, run: every service and job of {@code docker-compose.yml} is started as a
 * local process through the image's own entrypoint ({@code run-service.sh}) and classpath layout
 * ({@code layout.sh}), with exactly the environment and command the compose file gives it, against a real
 * broker and the real registry (the local cluster's, {@code up --no-services}, in a folder and on ports of its own),
 * and an S3Proxy process (filesystem backend) in place of the file's S3 server, with the file's bucket and
 * credentials. Only what names another machine is replaced ({@link #toHere}): the broker, registry and S3
 * addresses, the ports, the services' host names, and each service's /data. Then a small git repository
 * posted to ingest must come out of inference as a completion: ingest → first-tokenizer job → tokenize →
 * packer → trainer checkpoint → inference; the tokenizer and the checkpoint must be objects in the bucket, the
 * only place the services share.
 * <p>
 * For speed on a small machine the test adds trainer settings the file leaves at their defaults ({@link #FASTER}:
 * a checkpoint every 4 small updates), and the first-tokenizer job gets a small vocabulary and file count. It
 * runs one replica of each stage.
 */
class ComposeEnvironmentTest {
    static final Map<String, Map<String, String>> FASTER = Map.of(
            "trainer", Map.of("STREAMPARROT_TRAINER_SAVE_CHECKPOINT_STEPS", "4", "STREAMPARROT_TRAINER_EVAL_INTERVAL", "4",
                    "STREAMPARROT_TRAINER_MAX_EVAL_STEPS", "2", "STREAMPARROT_TRAINER_TRAIN_BATCH_SIZE", "4",
                    "STREAMPARROT_TRAINER_SHUFFLE_BUFFER", "64", "STREAMPARROT_TRAINER_THREADS", "1"));
    /** Each its own repository: the packer splits train and valid by repository (1% valid by default). */
    static final List<String> PACKAGES = List.of("json", "email", "http", "logging", "urllib");
    static final Map<String, String> FASTER_JOB_ARGS = Map.of("--vocab-size", "1024", "--min-files", "20");
    static final List<String> STARTED = List.of("ingest", "tokenize", "packer", "trainer", "inference");

    final List<Process> processes = new ArrayList<>();
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void sourceFilesBecomeServedCompletions(@TempDir Path dir) throws Exception {
        Map<String, Map<String, Object>> compose = DeploymentFiles.composeServices(DeploymentFiles.COMPOSE);
        Path app = dir.resolve("app");
        run(new ProcessBuilder("sh", DeploymentFiles.root().resolve("deploy/docker/layout.sh").toString(),
                DeploymentFiles.root().toString(), DockerLayoutTest.mavenRepository().toString(), app.toString(), app.toString())
                .redirectErrorStream(true), Map.of("LAYOUT_LINK", "1"));
        WholeClusterRestartTest.Cluster cluster = new WholeClusterRestartTest.Cluster(dir.resolve("cluster"));
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String name : STARTED) ports.put(name, Integer.parseInt(cluster.url(name).replaceAll(".*:", "")));
        localPorts.putAll(ports);
        Map<String, String> store = DeploymentFiles.environment(compose.get("first-tokenizer"));
        S3Server s3 = new S3Server(dir.resolve("s3"), store.get("AWS_ACCESS_KEY_ID"), store.get("AWS_SECRET_ACCESS_KEY"));
        String composeEndpoint = store.get(DeploymentFiles.STORE_ENDPOINT);
        UnaryOperator<String> here = value -> toHere(value, cluster.settings, ports).replace(composeEndpoint, s3.endpoint().toString());
        try {
            // the S3 server and its bucket, as the file's s3 and bucket services make them
            processes.add(s3.start());
            s3.createBucket(store.get(DeploymentFiles.STORE_URI));
            assertEquals(0, LocalCluster.commandLine().execute(withOptions(cluster, "up", "--no-services")), "broker and registry");
            // the topics job, as compose runs it (one broker here: replication factor 1)
            Process topics = start(dir, "topics", compose.get("topics"), here, app, "entrypoint");
            assertEquals(0, topics.waitFor(), "create-topics: " + log(dir, "topics"));

            for (String name : STARTED) start(dir, name, compose.get(name), here, app, "command");
            for (String name : STARTED) awaitHealthy(dir, name, ports.get(name));

            for (String name : PACKAGES) {
                Path repo = gitRepository(dir.resolve("repos").resolve(name), name);
                HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get("ingest") + "/repos"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"url\": \"" + repo + "\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertTrue(posted.statusCode() / 100 == 2, "POST /repos: " + posted.statusCode() + " " + posted.body());
            }

            Process job = start(dir, "first-tokenizer", compose.get("first-tokenizer"), here, app, "command");
            assertTrue(job.waitFor(Duration.ofMinutes(3).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS), "first-tokenizer did not end: " + log(dir, "first-tokenizer"));
            assertEquals(0, job.exitValue(), "first-tokenizer: " + log(dir, "first-tokenizer"));
            assertTrue(log(dir, "first-tokenizer").contains("activated "), log(dir, "first-tokenizer"));

            String completion = awaitCompletion(dir, ports.get("inference"));
            System.out.println("compose environment served: " + completion);
            assertTrue(completion.contains("\"choices\""), completion);
            // the artifacts crossed between services as objects in the bucket, not as files on a shared disk
            List<String> stored = s3.artifacts(store.get(DeploymentFiles.STORE_URI));
            assertTrue(stored.stream().anyMatch(n -> n.startsWith("tokenizers/")), "no tokenizer in the S3 store: " + stored);
            assertTrue(stored.stream().anyMatch(n -> n.startsWith("checkpoints/")), "no checkpoint in the S3 store: " + stored);

            // a restarted job (compose's restart: on-failure, a re-applied Kubernetes Job) changes nothing
            Process again = start(dir, "first-tokenizer-again", compose.get("first-tokenizer"), here, app, "command");
            assertEquals(0, again.waitFor(), log(dir, "first-tokenizer-again"));
            assertTrue(log(dir, "first-tokenizer-again").contains("nothing to do"), log(dir, "first-tokenizer-again"));
        } finally {
            for (Process p : processes) {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
            }
            for (Process p : processes) p.waitFor();
            // the throwaway broker and registry: no registry backup (`stop` makes one), which can stall on a loaded machine
            for (String part : List.of("registry", "kafka")) cluster.supervisor.stop(part);
            DockerLayoutTest.removeLayout(app);
        }
    }

    private static String[] withOptions(WholeClusterRestartTest.Cluster cluster, String... command) {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(List.of(cluster.options));
        return args.toArray(String[]::new);
    }

    /**
     * A compose value as it reads on this machine: the brokers and the registry are the test's, the services'
     * host names and ports the local ones (/data, a folder per service, is set by {@link #start}).
     */
    static String toHere(String value, KafkaSettings cluster, Map<String, Integer> ports) {
        String v = value.replace("kafka-1:9092,kafka-2:9092,kafka-3:9092", cluster.bootstrapServers())
                .replace("http://registry:8080/apis/ccompat/v7", cluster.schemaRegistryUrl());
        for (var port : ports.entrySet()) {
            v = v.replaceAll("http://" + port.getKey() + ":[0-9]+", "http://127.0.0.1:" + port.getValue());
        }
        return v;
    }

    private Process start(Path dir, String name, Map<String, Object> service, UnaryOperator<String> here, Path app, String field)
            throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        DeploymentFiles.environment(service).forEach((k, v) -> env.put(k, here.apply(v)));
        if (env.containsKey("STREAMPARROT_DATA_DIR")) env.put("STREAMPARROT_DATA_DIR", dir.resolve(name).resolve("data").toString());
        if (env.containsKey("MICRONAUT_SERVER_PORT")) env.put("MICRONAUT_SERVER_PORT", String.valueOf(localPorts.get(name)));
        env.putAll(FASTER.getOrDefault(name, Map.of()));
        List<String> args = new ArrayList<>(DeploymentFiles.command(service, field).stream().map(here).toList());
        if (field.equals("entrypoint")) {
            args.remove(0); // the image's /usr/local/bin/run-service: the checkout's script below
            int rf = args.indexOf("--replication-factor");
            if (rf >= 0) args.set(rf + 1, "1");
        }
        for (int i = 0; i < args.size() - 1; i++) {
            if (FASTER_JOB_ARGS.containsKey(args.get(i))) args.set(i + 1, FASTER_JOB_ARGS.get(args.get(i)));
        }
        List<String> command = new ArrayList<>(List.of("sh", DeploymentFiles.root().resolve("deploy/docker/run-service.sh").toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        builder.environment().putAll(env);
        builder.environment().put("STREAMPARROT_APP", app.toString());
        builder.environment().put("JAVA_OPTS", "-Xmx1g");
        Files.createDirectories(dir.resolve(name).resolve("data"));
        Process p = builder.start();
        processes.add(p);
        return p;
    }

    /** Each started service's port here (compose gives each its own host). */
    private final Map<String, Integer> localPorts = new LinkedHashMap<>();

    private void awaitHealthy(Path dir, String name, int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(1000);
        }
        throw new AssertionError(name + " not healthy on " + port + ": " + log(dir, name));
    }

    private String awaitCompletion(Path dir, int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"def add(a, b):\", \"max_tokens\": 8}")).build();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) return r.body();
            last = r.statusCode() + " " + r.body();
            Thread.sleep(3000);
        }
        throw new AssertionError("no completion within 4 minutes (" + last + "); trainer: " + log(dir, "trainer")
                + "\npacker: " + log(dir, "packer") + "\ninference: " + log(dir, "inference"));
    }

    private static String log(Path dir, String name) throws IOException {
        Path log = dir.resolve(name + ".log");
        if (!Files.exists(log)) return "(no log)";
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    private static void run(ProcessBuilder builder, Map<String, String> env) throws Exception {
        builder.environment().putAll(env);
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", builder.command()) + ":\n" + out);
    }

    /** A git repository of a few standard-library packages, one commit. */
    static Path gitRepository(Path target, String... packages) throws Exception {
        WholeClusterRestartTest.copyPackages(target, packages);
        for (List<String> git : List.of(List.of("git", "init", "-q", "-b", "main"), List.of("git", "add", "-A"),
                List.of("git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", "commit", "-q", "-m", "files"))) {
            run(new ProcessBuilder(git).directory(target.toFile()).redirectErrorStream(true), Map.of());
        }
        return target;
    }

    /**
     * The compose file's S3 server, here: an S3Proxy process on the filesystem (as the local cluster's
     * {@code --store s3} runs it), with the credentials the file gives the services.
     */
    static final class S3Server {
        private final Path dir;
        private final String accessKey;
        private final String secretKey;
        private final int port;

        S3Server(Path dir, String accessKey, String secretKey) throws IOException {
            this.dir = dir;
            this.accessKey = accessKey;
            this.secretKey = secretKey;
            try (ServerSocket free = new ServerSocket(0)) {
                this.port = free.getLocalPort();
            }
        }

        URI endpoint() {
            return S3ProxyServer.endpoint(port);
        }

        Process start() throws Exception {
            Process p = new ProcessBuilder(S3ProxyServer.command(port, dir, accessKey, secretKey))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (true) {
                try (Socket ignored = new Socket("127.0.0.1", port)) {
                    return p;
                } catch (IOException notYet) {
                    if (!p.isAlive() || System.nanoTime() > deadline) {
                        throw new AssertionError("S3Proxy did not start: " + Files.readString(dir.resolve("s3proxy.log")));
                    }
                    Thread.sleep(200);
                }
            }
        }

        /** The bucket of the store URI, as the compose file's one-shot bucket service makes it. */
        void createBucket(String storeUri) {
            try (S3Store store = open(storeUri)) {
                store.createBucketIfMissing();
            }
        }

        /** The names of the complete artifacts (those with a manifest) in the store. */
        List<String> artifacts(String storeUri) {
            try (S3Store store = open(storeUri)) {
                return store.list("").stream().map(Manifest::name).toList();
            }
        }

        private S3Store open(String storeUri) {
            // the AWS SDK's default chain, as in the services, here from system properties of the test JVM
            System.setProperty("aws.accessKeyId", accessKey);
            System.setProperty("aws.secretAccessKey", secretKey);
            return new S3Store(storeUri, S3Settings.defaults(dir.resolve("cache")).withEndpoint(endpoint(), true));
        }
    }
}
