package dev.streamparrot.trainer.group;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.schemas.TokenizerRelease;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A {@link GroupMemberProcess} in a JVM of its own, for tests that kill a member with SIGKILL: its output lines go to
 * a handler (on a reader thread) and into a log for failure messages.
 */
final class ChildMember {
    private final Process process;
    private final StringBuilder log = new StringBuilder();

    ChildMember(KafkaSettings kafka, GroupSettings settings, String topicPrefix, TokenizerRelease release, Path checkpoints,
                Consumer<String> onLine) throws IOException {
        String tokenizer = Path.of(java.net.URI.create(release.getLocation())).toString();
        process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1", "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.streamparrot",
                "-cp", System.getProperty("java.class.path"), GroupMemberProcess.class.getName(),
                kafka.bootstrapServers(), kafka.schemaRegistryUrl(), settings.groupId(), topicPrefix, "" + settings.innerSteps(),
                "" + settings.roundTimeout().toSeconds(), tokenizer, checkpoints.toString())
                .redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
                for (String line; (line = in.readLine()) != null; ) {
                    synchronized (log) {
                        log.append(line).append('\n');
                    }
                    onLine.accept(line);
                }
            } catch (IOException ignored) {
                // the child was killed
            }
        }, "child-member-output");
        reader.setDaemon(true);
        reader.start();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL: no leave-group, no last contribution, no aborted transaction; waits until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Kills it if it still runs (a failed test's clean-up). */
    void killIfAlive(Duration wait) throws InterruptedException {
        if (process.isAlive()) process.destroyForcibly().waitFor(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    String log() {
        synchronized (log) {
            return log.toString();
        }
    }
}
