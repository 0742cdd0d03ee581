package dev.streamparrot.trainer.checkpoint;

import dev.streamparrot.artifacts.ArtifactStore;
import dev.streamparrot.artifacts.DirectoryStore;
import dev.streamparrot.artifacts.Manifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checkpoints in a local working directory, {@code <root>/<run id>/step-00001000/}, published to the artifact store
 * as {@code checkpoints/<run id>/step-00001000}. A checkpoint is written into a hidden temporary directory and
 * renamed into place when complete, so a directory named {@code step-*} is always whole, and the latest one is
 * where a restarted run resumes. What a checkpoint holds for its readers is
 * {@link dev.streamparrot.model.Checkpoint}'s contract; the trainer adds its resume state
 * ({@code optimizer.safetensors}, {@code trainer_state.json}, {@code shuffle_buffer.bin}).
 *
 * <p>Retention ({@link #retain}): the newest K published checkpoints of a run stay, and so does every one that is
 * pinned (the one inference serves); older ones are deleted from the store and from the working directory.
 */
public final class CheckpointStore {
    private static final Pattern STEP_DIR = Pattern.compile("step-(\\d+)");

    /** Writes a checkpoint's files into the directory it is given. */
    @FunctionalInterface
    public interface Contents {
        void writeTo(Path dir) throws IOException;
    }

    private final Path root;
    private final ArtifactStore artifacts;

    /** Publishes to a directory store beside the working directory ({@code <root>/published}): one machine, tests. */
    public CheckpointStore(Path root) {
        this(root, new DirectoryStore(root.resolve("published")));
    }

    public CheckpointStore(Path root, ArtifactStore artifacts) {
        this.root = root.toAbsolutePath();
        this.artifacts = artifacts;
    }

    /** The store checkpoints are published to, which also reads what other services published. */
    public ArtifactStore artifacts() {
        return artifacts;
    }

    /** Publishes a written checkpoint; the manifest's location and weights hash are what the announcement carries. */
    public Manifest publish(String runId, Path checkpointDir) {
        return artifacts.put(name(runId, stepOf(checkpointDir)), checkpointDir);
    }

    /**
     * Deletes the run's published checkpoints older than its newest {@code keep}, except pinned locations, and
     * the local ones older than the newest {@code keep} (the newest stays: a restart resumes from it).
     *
     * @return the locations deleted from the store
     */
    public List<String> retain(String runId, int keep, Set<String> pinned) {
        if (keep < 1) throw new IllegalArgumentException("keep at least one checkpoint, not " + keep);
        List<Manifest> published = artifacts.list("checkpoints/" + runId + "/").stream()
                .sorted(Comparator.comparingLong((Manifest m) -> stepOfName(m.name())).reversed())
                .toList();
        List<String> deleted = new ArrayList<>();
        for (Manifest m : published.subList(Math.min(keep, published.size()), published.size())) {
            if (pinned.contains(m.location())) continue;
            artifacts.delete(m.location());
            deleted.add(m.location());
        }
        Path run = root.resolve(runId);
        if (Files.isDirectory(run)) {
            try (Stream<Path> dirs = Files.list(run)) {
                List<Path> local = dirs.filter(d -> Files.isDirectory(d) && STEP_DIR.matcher(d.getFileName().toString()).matches())
                        .sorted(Comparator.comparingLong(CheckpointStore::stepOf).reversed()).toList();
                for (Path old : local.subList(Math.min(keep, local.size()), local.size())) deleteTree(old);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prune " + run, e);
            }
        }
        return deleted;
    }

    static String name(String runId, long step) {
        return "checkpoints/" + runId + "/" + String.format("step-%08d", step);
    }

    private static long stepOfName(String name) {
        Matcher m = STEP_DIR.matcher(name.substring(name.lastIndexOf('/') + 1));
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
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
