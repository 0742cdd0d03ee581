package dev.streamparrot.trainer.group;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamparrot.artifacts.ArtifactStore;
import dev.streamparrot.artifacts.Manifest;
import dev.streamparrot.model.AdamW;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A member's own part of a global checkpoint: its inner AdamW state (moments and step), which never leaves the member
 * otherwise, so that a whole-group restart resumes exactly. Stored through the artifact store under
 * {@code member-states/<run>/step-N/<member>} (outside {@code checkpoints/<run>/}, whose retention counts checkpoints),
 * beside {@value #FILE} with the group size it was trained in. The data position needs nothing here: the group's
 * committed offsets (the frontier) already move with the rounds.
 *
 * <p>Only a member restarted under the same name ({@code streamparrot.trainer.group-member}), at the very round of the
 * checkpoint, in a group of the same size, takes it: otherwise its partitions (and so its moments' data) differ, and it
 * starts fresh, saying why.
 *
 * @param member the member's stable name; null: a name of this start only, nothing saved or restored
 */
record MemberCheckpoint(ArtifactStore store, String runId, String member) {
    static final String FILE = "member_state.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    static String name(String runId, long step, String member) {
        return "member-states/" + runId + "/" + String.format("step-%08d", step) + "/" + member;
    }

    /** Saves the optimizer's state for the checkpoint at {@code step} (a no-op without a stable name). */
    void save(long step, int groupSize, AdamW optimizer) {
        if (member == null) return;
        Path dir = null;
        try {
            dir = Files.createTempDirectory("member-state");
            optimizer.save(dir.resolve(AdamW.STATE_FILE));
            JSON.writeValue(dir.resolve(FILE).toFile(), JSON.createObjectNode().put("group_size", groupSize).put("step", step));
            store.put(name(runId, step, member), dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the inner optimizer state of member " + member, e);
        } finally {
            if (dir != null) deleteTree(dir);
        }
    }

    /**
     * Restores the optimizer's state saved for the checkpoint at {@code step} when this member may take it.
     *
     * @return what happened, for the log: restored, or why the member starts fresh
     */
    String restore(long step, int groupSize, AdamW optimizer) {
        if (member == null) return "no stable member name (streamparrot.trainer.group-member): inner AdamW starts fresh";
        String name = name(runId, step, member);
        Optional<Manifest> saved = store.list(name).stream().filter(m -> m.name().equals(name)).findFirst();
        if (saved.isEmpty()) return "no inner optimizer state saved for member " + member + " at step " + step + ": inner AdamW starts fresh";
        Manifest m = saved.get();
        Path file = store.get(m.location(), new ArtifactStore.Expected(AdamW.STATE_FILE, m.entry(AdamW.STATE_FILE).orElseThrow().sha256()));
        int savedSize;
        try {
            JsonNode state = JSON.readTree(file.resolveSibling(FILE).toFile());
            savedSize = state.path("group_size").asInt(-1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + FILE + " of " + m.location(), e);
        }
        if (savedSize != groupSize) {
            return "the group had " + savedSize + " members at step " + step + " and has " + groupSize
                    + " now (other partitions): inner AdamW starts fresh";
        }
        optimizer.load(file);
        return "inner AdamW state of member " + member + " restored from step " + step;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
