package dev.streamparrot.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamparrot.artifacts.ArtifactStore;
import dev.streamparrot.artifacts.DirectoryStore;
import dev.streamparrot.artifacts.Manifest;
import dev.streamparrot.artifacts.NoSuchArtifactException;
import dev.streamparrot.artifacts.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention: the newest K published checkpoints of a run stay, and every pinned one; the rest are deleted. */
class CheckpointRetentionTest {

    @Test
    void keepsTheNewestKAndThePinnedOnesAndDeletesTheRest(@TempDir Path tmp) throws Exception {
        DirectoryStore artifacts = new DirectoryStore(tmp.resolve("store"));
        CheckpointStore store = new CheckpointStore(tmp.resolve("work"), artifacts);
        List<Manifest> published = new ArrayList<>();
        for (long step = 100; step <= 600; step += 100) {
            long s = step;
            Path dir = store.write("run", step, d -> Files.writeString(d.resolve("model.safetensors"), "weights of " + s));
            published.add(store.publish("run", dir));
        }
        // another run's checkpoints are not this run's to delete
        store.publish("other", store.write("other", 50, d -> Files.writeString(d.resolve("model.safetensors"), "x")));
        String pinned = published.get(1).location(); // step 200, served by an inference instance

        List<String> deleted = store.retain("run", 2, Set.of(pinned));

        assertEquals(List.of(published.get(3).location(), published.get(2).location(), published.get(0).location()), deleted);
        assertEquals(List.of("checkpoints/run/step-00000200", "checkpoints/run/step-00000500", "checkpoints/run/step-00000600"),
                artifacts.list("checkpoints/run/").stream().map(Manifest::name).toList());
        assertEquals(1, artifacts.list("checkpoints/other/").size());
        // deleted means unreadable; what is kept still verifies
        assertThrows(NoSuchArtifactException.class, () -> artifacts.get(published.get(0).location(),
                new ArtifactStore.Expected("model.safetensors", sha("weights of 100"))));
        assertTrue(Files.isRegularFile(artifacts.get(pinned, new ArtifactStore.Expected("model.safetensors", sha("weights of 200")))));
        // the working directory keeps the newest K too; a restart resumes from the newest
        try (var dirs = Files.list(tmp.resolve("work/run"))) {
            assertEquals(List.of("step-00000500", "step-00000600"), dirs.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals("step-00000600", store.latest("run").orElseThrow().getFileName().toString());
    }

    private static String sha(String text) {
        return Sha256.of(text.getBytes(StandardCharsets.UTF_8));
    }
}
