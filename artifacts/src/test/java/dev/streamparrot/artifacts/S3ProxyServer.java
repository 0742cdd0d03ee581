package dev.streamparrot.artifacts;

import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 server in the test JVM: S3Proxy over jclouds' filesystem backend, with signature-checked
 * credentials. It can be stopped and started again on the same port over the same files (an outage).
 */
final class S3ProxyServer implements AutoCloseable {
    static final String ACCESS_KEY = "streamparrot-test";
    static final String SECRET_KEY = "streamparrot-test-secret";

    private final Path dataDir;
    private int port;
    private S3Proxy proxy;

    S3ProxyServer(Path dataDir) throws Exception {
        this.dataDir = dataDir;
        start();
    }

    /** Starts (again): on any free port the first time, on the same port after {@link #stop}. */
    void start() throws Exception {
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", dataDir.toString());
        BlobStoreContext context = ContextBuilder.newBuilder("filesystem")
                .credentials("identity", "credential").overrides(props).build(BlobStoreContext.class);
        proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        for (int i = 0; i < 500 && !"STARTED".equals(proxy.getState()); i++) Thread.sleep(10);
        if (!"STARTED".equals(proxy.getState())) throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
        port = proxy.getPort();
    }

    void stop() throws Exception {
        proxy.stop();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Settings for this server; the SDK's default chain finds the credentials in system properties. */
    S3Settings settings(Path cacheDir) {
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
        return S3Settings.defaults(cacheDir).withEndpoint(endpoint(), true);
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
