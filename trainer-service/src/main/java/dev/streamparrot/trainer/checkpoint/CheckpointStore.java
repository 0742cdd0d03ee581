package dev.streamparrot.trainer.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checkpoints in a directory: {@code <root>/<run id>/step-00001000/}. A checkpoint is written into a
 * hidden temporary directory and renamed into place when complete, so a directory named {@code step-*}
 * is always whole, and the latest one is where a restarted run resumes. What a checkpoint holds for its
 * readers is {@link dev.streamparrot.model.Checkpoint}'s contract; the trainer adds its resume state
 * ({@code optimizer.safetensors}, {@code trainer_state.json}, {@code shuffle_buffer.bin}).
 */
public final class CheckpointStore {
    private static final Pattern STEP_DIR = Pattern.compile("step-(\\d+)");

    /** Writes a checkpoint's files into the directory it is given. */
    @FunctionalInterface
    public interface Contents {
        void writeTo(Path dir) throws IOException;
    }

    private final Path root;

    public CheckpointStore(Path root) {
        this.root = root.toAbsolutePath();
    }

    public Path root() {
        return root;
    }

    /** The directory of the highest step of this run, if any checkpoint was completed. */
    public Optional<Path> latest(String runId) {
        Path run = root.resolve(runId);
        if (!Files.isDirectory(run)) return Optional.empty();
        try (Stream<Path> dirs = Files.list(run)) {
            return dirs.filter(d -> Files.isDirectory(d) && STEP_DIR.matcher(d.getFileName().toString()).matches())
                    .max(Comparator.comparingLong(CheckpointStore::stepOf));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the checkpoint of this run and step; an earlier one of the same step is replaced. */
    public Path write(String runId, long step, Contents contents) {
        Path run = root.resolve(runId);
        Path target = run.resolve(String.format("step-%08d", step));
        Path tmp = run.resolve(".tmp-" + target.getFileName() + "-" + System.nanoTime());
        try {
            Files.createDirectories(tmp);
            contents.writeTo(tmp);
            if (Files.exists(target)) deleteTree(target);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + target, e);
        }
    }

    public static long stepOf(Path checkpointDir) {
        Matcher m = STEP_DIR.matcher(checkpointDir.getFileName().toString());
        if (!m.matches()) throw new IllegalArgumentException(checkpointDir + " is not a checkpoint directory");
        return Long.parseLong(m.group(1));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
