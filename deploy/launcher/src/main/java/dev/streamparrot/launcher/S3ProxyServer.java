package dev.streamparrot.launcher;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A local S3Proxy (filesystem backend) as a child process: the local cluster's {@code --store s3}, and the tests'
 * stand-in for MinIO. It needs {@code org.gaul:s3proxy} on the classpath of the JVM that builds the command.
 */
public final class S3ProxyServer {
    private S3ProxyServer() {}

    public static URI endpoint(int port) {
        return URI.create("http://127.0.0.1:" + port);
    }

    /**
     * The command line of an S3Proxy on 127.0.0.1:port that checks signatures made with these credentials; its
     * properties are written to {@code dir/s3proxy.properties}, its objects kept in {@code dir/data}.
     */
    public static List<String> command(int port, Path dir, String accessKey, String secretKey) throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path properties = dir.resolve("s3proxy.properties");
        Files.writeString(properties, String.join("\n",
                "s3proxy.endpoint=" + endpoint(port),
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + accessKey,
                "s3proxy.credential=" + secretKey,
                "jclouds.provider=filesystem",
                "jclouds.identity=local",
                "jclouds.credential=local",
                "jclouds.filesystem.basedir=" + data) + "\n");
        // S3Proxy's Main sends System.err through slf4j; slf4j-simple writing to System.err would then recurse
        // until the stack overflows: its log goes to System.out
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-Dorg.slf4j.simpleLogger.logFile=System.out", "-cp", System.getProperty("java.class.path"),
                "org.gaul.s3proxy.Main", "--properties", properties.toString());
    }
}
