package dev.streamparrot.deploy;

import dev.streamparrot.artifacts.S3Settings;
import dev.streamparrot.artifacts.S3Store;
import dev.streamparrot.artifacts.ArtifactLocation;
import dev.streamparrot.launcher.S3ProxyServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The local cluster's artifact store: a directory under the home (the default), or with {@code --store s3} an
 * S3Proxy process (filesystem backend, data under {@code <home>/s3}) that every service reaches as
 * {@code s3://streamparrot/local}, so the multi-machine shape runs on one machine.
 */
final class LocalStore {
    static final String BUCKET = "streamparrot";
    // local-only credentials of the local S3Proxy; a real deployment takes them from the SDK's default chain
    static final String ACCESS_KEY = "streamparrot-local";
    static final String SECRET_KEY = "streamparrot-local-secret";

    private final boolean s3;
    private final Path home;
    private final int s3Port;

    LocalStore(String kind, Path home, int s3Port) {
        if (!kind.equals("dir") && !kind.equals("s3")) throw new IllegalArgumentException("--store is dir or s3, not " + kind);
        this.s3 = kind.equals("s3");
        this.home = home;
        this.s3Port = s3Port;
    }

    boolean isS3() {
        return s3;
    }

    /** The JVM settings ({@code -D...}) that give a service or tool this store. */
    List<String> jvmSettings() {
        List<String> settings = new ArrayList<>();
        if (!s3) {
            settings.add("-Dstreamparrot.store.uri=" + ArtifactLocation.of(home.resolve("store")));
            return settings;
        }
        settings.add("-Dstreamparrot.store.uri=s3://" + BUCKET + "/local");
        settings.add("-Dstreamparrot.store.s3.endpoint=" + endpoint());
        settings.add("-Dstreamparrot.store.s3.path-style=true");
        // the AWS SDK's default credential chain reads these system properties
        settings.add("-Daws.accessKeyId=" + ACCESS_KEY);
        settings.add("-Daws.secretAccessKey=" + SECRET_KEY);
        return settings;
    }

    URI endpoint() {
        return S3ProxyServer.endpoint(s3Port);
    }

    /** The S3Proxy process, its properties and data under the home. */
    Component component() throws IOException {
        return new Component("s3", s3Port, null, S3ProxyServer.command(s3Port, home.resolve("s3"), ACCESS_KEY, SECRET_KEY));
    }

    /** Creates the bucket once S3Proxy answers (it starts with none). */
    void createBucket() {
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
        S3Settings settings = S3Settings.defaults(home.resolve("s3/cache")).withEndpoint(endpoint(), true);
        try (S3Store store = new S3Store("s3://" + BUCKET + "/local", settings)) {
            store.createBucketIfMissing();
        }
    }
}
