package dev.streamparrot.artifacts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 store against a real S3 server (S3Proxy, filesystem backend) in this JVM. */
class S3StoreTest {
    @TempDir
    static Path shared;
    static S3ProxyServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = new S3ProxyServer(Files.createDirectories(shared.resolve("s3-data")));
        try (S3Store store = new S3Store("s3://artifacts", server.settings(shared.resolve("unused")))) {
            store.createBucketIfMissing();
        }
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    private static S3Store store(Path cache) {
        return new S3Store("s3://artifacts/some/prefix", server.settings(cache));
    }

    @Test
    void roundTripsAnArtifactAndListsAndDeletesIt(@TempDir Path tmp) throws Exception {
        Path dir = checkpointLike(tmp.resolve("src"), 3000, new Random(1));
        try (S3Store store = store(tmp.resolve("cache"))) {
            Manifest m = store.put("checkpoints/run/step-00000001", dir);
            assertEquals("s3://artifacts/some/prefix/checkpoints/run/step-00000001/", m.location());
            String sha = Sha256.of(dir.resolve("model.safetensors"));
            Path got = store.get(m.location(), new ArtifactStore.Expected("model.safetensors", sha)).getParent();
            for (String f : List.of("model.safetensors", "config.json", "sub/extra.bin")) {
                assertArrayEquals(Files.readAllBytes(dir.resolve(f)), Files.readAllBytes(got.resolve(f)), f);
            }
            assertEquals(List.of("checkpoints/run/step-00000001"), store.list("checkpoints/").stream().map(Manifest::name).toList());
            store.delete(m.location());
            assertEquals(List.of(), store.list("checkpoints/"));
            NoSuchArtifactException gone = assertThrows(NoSuchArtifactException.class,
                    () -> store.get(m.location(), new ArtifactStore.Expected("model.safetensors", sha)));
            assertTrue(gone.getMessage().contains(m.location()), gone.getMessage());
        }
    }

    @Test
    void uploadsLargeFilesInPartsAboveTheThreshold(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("src"));
        byte[] big = new byte[(11 << 20) + 12345]; // three parts of 5 MiB, S3's smallest part, which S3Proxy enforces
        new Random(7).nextBytes(big);
        Files.write(dir.resolve("model.safetensors"), big);
        List<String> storedKeys = new java.util.ArrayList<>();
        S3Settings settings = server.settings(tmp.resolve("cache")).withMultipart(5 << 20, 5 << 20);
        try (S3Store store = new S3Store("s3://artifacts/multipart", settings, storedKeys::add)) {
            Manifest m = store.put("big", dir);
            assertEquals(List.of("multipart/big/model.safetensors#part1", "multipart/big/model.safetensors#part2",
                    "multipart/big/model.safetensors#part3", "multipart/big/model.safetensors",
                    "multipart/big/" + ArtifactStore.MANIFEST_FILE), storedKeys);
            Path got = store.get(m.location(), new ArtifactStore.Expected("model.safetensors", Sha256.of(big))).getParent();
            assertArrayEquals(big, Files.readAllBytes(got.resolve("model.safetensors")));
        }
    }

    @Test
    void refusesACorruptedObjectAndAWrongAnnouncementNamingBothHashes(@TempDir Path tmp) throws Exception {
        Path dir = checkpointLike(tmp.resolve("src"), 2000, new Random(2));
        String sha = Sha256.of(dir.resolve("model.safetensors"));
        try (S3Store store = store(tmp.resolve("cache")); S3Client raw = rawClient()) {
            Manifest m = store.put("corrupt/one", dir);
            // the announcement names other bytes than the store holds
            String other = Sha256.of(new byte[] {1, 2, 3});
            ChecksumMismatchException wrong = assertThrows(ChecksumMismatchException.class,
                    () -> store.get(m.location(), new ArtifactStore.Expected("model.safetensors", other)));
            assertTrue(wrong.getMessage().contains(sha) && wrong.getMessage().contains(other), wrong.getMessage());
            // an object changed in the bucket behind the manifest's back
            byte[] corrupted = Files.readAllBytes(dir.resolve("model.safetensors"));
            corrupted[100] ^= 1;
            raw.putObject(b -> b.bucket("artifacts").key("some/prefix/corrupt/one/model.safetensors"), RequestBody.fromBytes(corrupted));
            ChecksumMismatchException changed = assertThrows(ChecksumMismatchException.class,
                    () -> store.get(m.location(), new ArtifactStore.Expected("model.safetensors", sha)));
            assertTrue(changed.getMessage().contains(sha) && changed.getMessage().contains(Sha256.of(corrupted)), changed.getMessage());
        }
    }

    @Test
    void saysClearlyWhatIsMissing(@TempDir Path tmp) throws Exception {
        Path dir = checkpointLike(tmp.resolve("src"), 100, new Random(3));
        String sha = Sha256.of(dir.resolve("model.safetensors"));
        try (S3Store store = store(tmp.resolve("cache")); S3Client raw = rawClient()) {
            NoSuchArtifactException never = assertThrows(NoSuchArtifactException.class,
                    () -> store.get(store.location("never/written"), new ArtifactStore.Expected("model.safetensors", sha)));
            assertTrue(never.getMessage().contains("s3://artifacts/some/prefix/never/written/"), never.getMessage());
            Manifest m = store.put("missing/file", dir);
            raw.deleteObject(b -> b.bucket("artifacts").key("some/prefix/missing/file/config.json"));
            NoSuchArtifactException lost = assertThrows(NoSuchArtifactException.class,
                    () -> store.get(m.location(), new ArtifactStore.Expected("model.safetensors", sha)));
            assertTrue(lost.getMessage().contains("config.json"), lost.getMessage());
        }
    }

    @Test
    void aReaderRacingAWriterNeverSeesAPartialArtifact(@TempDir Path tmp) throws Exception {
        Random random = new Random(4);
        int versions = 12;
        List<Path> sources = new java.util.ArrayList<>();
        for (int v = 0; v < versions; v++) sources.add(checkpointLike(tmp.resolve("src-" + v), 200_000, random));
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger complete = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        S3Settings small = server.settings(tmp.resolve("reader-cache"));
        try (S3Store writer = new S3Store("s3://artifacts/race", small); S3Store reader = new S3Store("s3://artifacts/race", small)) {
            Thread readerThread = new Thread(() -> {
                while (writing.get()) {
                    try {
                        for (int v = 0; v < versions; v++) {
                            String location = reader.location("v" + v);
                            Path src = sources.get(v);
                            try {
                                Path got = reader.get(location, new ArtifactStore.Expected("model.safetensors",
                                        Sha256.of(src.resolve("model.safetensors")))).getParent();
                                assertArrayEquals(Files.readAllBytes(src.resolve("sub/extra.bin")), Files.readAllBytes(got.resolve("sub/extra.bin")));
                                complete.incrementAndGet();
                            } catch (NoSuchArtifactException notYet) {
                                // not written yet is fine; written in part is not
                                assertTrue(notYet.getMessage().contains("no " + ArtifactStore.MANIFEST_FILE), notYet.getMessage());
                            }
                        }
                        // every artifact that is listed is whole: all its files are there, with the listed bytes
                        for (Manifest m : reader.list("")) {
                            Path src = sources.get(Integer.parseInt(m.name().substring(1)));
                            Path got = reader.get(m.location(), new ArtifactStore.Expected("model.safetensors",
                                    Sha256.of(src.resolve("model.safetensors")))).getParent();
                            assertArrayEquals(Files.readAllBytes(src.resolve("sub/extra.bin")), Files.readAllBytes(got.resolve("sub/extra.bin")));
                            assertArrayEquals(Files.readAllBytes(src.resolve("config.json")), Files.readAllBytes(got.resolve("config.json")));
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                        return;
                    }
                }
            });
            readerThread.start();
            for (int v = 0; v < versions; v++) writer.put("v" + v, sources.get(v));
            Thread.sleep(200);
            writing.set(false);
            readerThread.join();
        }
        assertTrue(failures.isEmpty(), () -> "the reader saw: " + failures.peek());
        assertTrue(complete.get() > 0, "the reader never saw a complete artifact");
    }

    @Test
    void aServerThatDiesMidUploadFailsThePutShowsNothingAndARetryAfterwardsSucceeds(@TempDir Path tmp) throws Exception {
        Path dir = checkpointLike(tmp.resolve("src"), (15 << 20) + 1, new Random(5)); // four parts
        String sha = Sha256.of(dir.resolve("model.safetensors"));
        S3Settings settings = server.settings(tmp.resolve("cache")).withMultipart(5 << 20, 5 << 20).withMaxAttempts(3);
        AtomicInteger parts = new AtomicInteger();
        try (S3Store dying = new S3Store("s3://artifacts/outage", settings, key -> {
            if (parts.incrementAndGet() == 2) { // the server dies after the second part has landed
                try {
                    server.stop();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        })) {
            ArtifactStoreException failed = assertThrows(ArtifactStoreException.class, () -> dying.put("ckpt", dir));
            assertTrue(failed.getMessage().contains("cannot store ckpt") && failed.getMessage().contains("nothing of it is visible"),
                    failed.getMessage());
        } finally {
            server.start();
        }
        try (S3Store store = new S3Store("s3://artifacts/outage", settings)) {
            assertEquals(List.of(), store.list(""), "a dead upload must leave nothing visible");
            assertThrows(NoSuchArtifactException.class,
                    () -> store.get(store.location("ckpt"), new ArtifactStore.Expected("model.safetensors", sha)));
            Manifest m = store.put("ckpt", dir); // the retry after the outage
            Path got = store.get(m.location(), new ArtifactStore.Expected("model.safetensors", sha)).getParent();
            assertArrayEquals(Files.readAllBytes(dir.resolve("model.safetensors")), Files.readAllBytes(got.resolve("model.safetensors")));
        }
    }

    /** A directory shaped like a checkpoint: weights of this size, a config, a file in a subdirectory. */
    static Path checkpointLike(Path dir, int weightBytes, Random random) throws Exception {
        Files.createDirectories(dir.resolve("sub"));
        byte[] weights = new byte[weightBytes];
        random.nextBytes(weights);
        Files.write(dir.resolve("model.safetensors"), weights);
        Files.writeString(dir.resolve("config.json"), "{\"n_embd\": " + random.nextInt(1000) + "}");
        byte[] extra = new byte[1 + random.nextInt(5000)];
        random.nextBytes(extra);
        Files.write(dir.resolve("sub/extra.bin"), extra);
        return dir;
    }

    private static S3Client rawClient() {
        return S3Client.builder().endpointOverride(server.endpoint()).forcePathStyle(true)
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)))
                .httpClientBuilder(software.amazon.awssdk.http.apache.ApacheHttpClient.builder())
                .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .build();
    }
}
