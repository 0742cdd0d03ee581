package dev.streamparrot.ingest.source;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.UploadPack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ssh:// end to end: an in-process Apache MINA sshd server runs JGit's UploadPack for one repository. */
class GitSshTest {
    @TempDir Path tmp;
    private SshServer server;
    private Path work;
    private KeyPair clientKey;      // what the client offers
    private PublicKey acceptedKey;  // what the server lets in

    @BeforeEach
    void startServer() throws Exception {
        work = Files.createDirectories(tmp.resolve("origin"));
        clientKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_RSA, 2048);
        acceptedKey = clientKey.getPublic();
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(tmp.resolve("hostkey.ser")));
        server.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(key, acceptedKey));
        server.setCommandFactory((channel, command) -> new UploadPackCommand(command, work.resolve(".git")));
        server.start();
    }

    @AfterEach
    void stopServer() throws Exception {
        server.stop(true);
    }

    @Test
    void clonesOverSshThenFetchesOnlyWhatChanged() throws Exception {
        Path sshDir = clientSshDir(hostKey());
        try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            Files.writeString(work.resolve("a.py"), "a = 1\n");
            Files.writeString(work.resolve("b.py"), "b = 1\n");
            GitSourceTest.commit(git, "first");

            GitSource source = new GitSource(tmp.resolve("cache"), Duration.ofSeconds(20), sshDir);
            String url = "ssh://git@127.0.0.1:" + server.getPort() + work.resolve(".git");
            GitChanges initial = source.sync(url, null, null);
            assertEquals(List.of("a.py", "b.py"), initial.changedPaths());
            Collected c = new Collected();
            source.files(initial).read(c);
            assertEquals(Map.of("a.py", "a = 1\n", "b.py", "b = 1\n"), c.contents());

            Files.writeString(work.resolve("b.py"), "b = 2\n");
            Files.writeString(work.resolve("c.py"), "c = 1\n");
            String second = GitSourceTest.commit(git, "second").name();
            GitChanges next = source.sync(url, null, initial.toCommit());
            assertEquals(second, next.toCommit());
            assertEquals(List.of("b.py", "c.py"), next.changedPaths());
            Collected d = new Collected();
            source.files(next).read(d);
            assertEquals(Map.of("b.py", "b = 2\n", "c.py", "c = 1\n"), d.contents());
        }
    }

    @Test
    void aChangedHostKeyIsRefusedQuickly() throws Exception {
        PublicKey impostor = KeyUtils.generateKeyPair(KeyPairProvider.SSH_RSA, 2048).getPublic();
        Path sshDir = clientSshDir(impostor);
        try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            Files.writeString(work.resolve("a.py"), "a = 1\n");
            GitSourceTest.commit(git, "first");
        }
        assertRefusedQuicklyAsAuthRequired(sshDir);
    }

    @Test
    void anUnknownClientKeyIsRefusedQuickly() throws Exception {
        acceptedKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_RSA, 2048).getPublic();  // not the client's
        Path sshDir = clientSshDir(hostKey());
        assertRefusedQuicklyAsAuthRequired(sshDir);
    }

    /** A sync with these ssh settings fails well before the clone timeout, as a refusal (never a prompt). */
    private void assertRefusedQuicklyAsAuthRequired(Path sshDir) {
        GitSource source = new GitSource(tmp.resolve("cache"), Duration.ofSeconds(20), sshDir);
        long start = System.nanoTime();
        GitSourceException e = assertThrows(GitSourceException.class,
                () -> source.sync("ssh://git@127.0.0.1:" + server.getPort() + work.resolve(".git"), null, null));
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 15, "took too long");
        assertEquals(GitSourceException.Kind.AUTH_REQUIRED, e.kind(), e.getMessage());
    }

    private PublicKey hostKey() throws Exception {
        return server.getKeyPairProvider().loadKeys(null).iterator().next().getPublic();
    }

    /** id_rsa for the client and a known_hosts that trusts {@code hostKey} for this server's port. */
    private Path clientSshDir(PublicKey hostKey) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("ssh"));
        try (OutputStream out = Files.newOutputStream(dir.resolve("id_rsa"))) {
            new OpenSSHKeyPairResourceWriter().writePrivateKey(clientKey, "test", null, out);
        }
        try (OutputStream out = Files.newOutputStream(dir.resolve("id_rsa.pub"))) {
            new OpenSSHKeyPairResourceWriter().writePublicKey(clientKey, "test", out);
        }
        Files.writeString(dir.resolve("known_hosts"),
                "[127.0.0.1]:" + server.getPort() + " " + PublicKeyEntry.toString(hostKey) + "\n");
        return dir;
    }

    /** Serves "git-upload-pack '<path>'" for the one repository under test, as a git ssh server would. */
    private static final class UploadPackCommand implements Command {
        private final String command;
        private final Path gitDir;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;

        UploadPackCommand(String command, Path gitDir) {
            this.command = command;
            this.gitDir = gitDir;
        }

        @Override public void setInputStream(InputStream in) { this.in = in; }
        @Override public void setOutputStream(OutputStream out) { this.out = out; }
        @Override public void setErrorStream(OutputStream err) { this.err = err; }
        @Override public void setExitCallback(ExitCallback exit) { this.exit = exit; }

        @Override
        public void start(ChannelSession channel, Environment env) {
            Thread serve = new Thread(() -> {
                int status = 0;
                try {
                    String path = command.replaceFirst("^git-upload-pack\\s+", "").replaceAll("^'|'$", "");
                    if (!command.startsWith("git-upload-pack") || !Path.of(path).equals(gitDir)) {
                        err.write(("not served: " + command + "\n").getBytes(StandardCharsets.UTF_8));
                        err.flush();
                        status = 1;
                    } else {
                        try (Repository repo = new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setMustExist(true).build()) {
                            new UploadPack(repo).upload(in, out, err);
                        }
                        out.flush();
                    }
                } catch (Exception e) {
                    status = 1;
                }
                exit.onExit(status);
            }, "upload-pack");
            serve.setDaemon(true);
            serve.start();
        }

        @Override public void destroy(ChannelSession channel) { }
    }
}
