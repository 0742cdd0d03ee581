package dev.streamparrot.deploy;

import dev.streamparrot.artifacts.ArtifactStore;
import dev.streamparrot.artifacts.Manifest;
import dev.streamparrot.artifacts.S3Settings;
import dev.streamparrot.artifacts.S3Store;
import dev.streamparrot.testkit.RealCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `up --store s3`'s store: the S3Proxy process that `up` starts answers, gets its bucket and keeps an artifact on disk. */
class LocalStoreTest {
    @Test
    void theLocalS3ProxyStartsTakesTheBucketAndKeepsAnArtifact(@TempDir Path home) throws Exception {
        LocalStore store = new LocalStore("s3", home, RealCluster.freePort());
        Component s3 = store.component();
        Supervisor supervisor = new Supervisor(home);
        try {
            supervisor.start(s3);
            supervisor.awaitReady(s3, Duration.ofSeconds(60));
            store.createBucket();
            store.createBucket(); // `up` twice: the bucket is there already

            Path artifact = Files.createDirectories(home.resolve("artifact"));
            Files.writeString(artifact.resolve("tokenizer.json"), "{\"model\": {}}");
            S3Settings settings = S3Settings.defaults(home.resolve("reader-cache")).withEndpoint(store.endpoint(), true);
            try (S3Store s3Store = new S3Store("s3://" + LocalStore.BUCKET + "/local", settings)) {
                Manifest put = s3Store.put("tokenizers/t1", artifact);
                assertEquals(List.of("tokenizers/t1"), s3Store.list("").stream().map(Manifest::name).toList());
                assertEquals("{\"model\": {}}", Files.readString(s3Store.get(put.location(),
                        new ArtifactStore.Expected("tokenizer.json", put.entry("tokenizer.json")
                                .orElseThrow().sha256()))));
            }
            try (var files = Files.walk(home.resolve("s3/data"))) {
                assertTrue(files.anyMatch(f -> f.getFileName().toString().equals("tokenizer.json")),
                        "the objects live under <home>/s3/data");
            }
        } finally {
            supervisor.stop("s3");
        }
    }
}
