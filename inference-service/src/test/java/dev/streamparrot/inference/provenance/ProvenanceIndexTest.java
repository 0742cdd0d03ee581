package dev.streamparrot.inference.provenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamparrot.inference.provenance.ProvenanceIndex.Status;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.schemas.Split;
import dev.streamparrot.schemas.TokenEncoding;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Commit → file versions → the chunks that hold them → trained or not, from the packer's order alone. */
class ProvenanceIndexTest {

    private static SourceFile file(String repo, String commit, String path) {
        return SourceFile.newBuilder().setRepo(repo).setCommit(commit).setPath(path).setLicense("MIT").setSize(1)
                .setContentHash("h").setContent("x = 1").build();
    }

    private static Chunk chunk(int inputPartition, Split split, String... keys) {
        return new Chunk(0L, inputPartition, "tok", split, TokenEncoding.UINT16_LE, ByteBuffer.wrap(new byte[4]), List.of(keys));
    }

    private static CheckpointProvenance frontier(int partition, long offset) {
        return new CheckpointProvenance(10L, new TreeMap<>(Map.of(partition, offset)));
    }

    @Test
    void aFileIsTrainedOnlyOnceEveryChunkHoldingItIsBelowTheFrontier() {
        ProvenanceIndex index = new ProvenanceIndex();
        index.onSourceFile(1, 40, "r/a.py", file("r", "c1", "a.py"));
        index.onSourceFile(1, 41, "r/b.py", file("r", "c1", "b.py"));
        index.onChunk(1, 7, chunk(1, Split.TRAIN, "r/a.py"));
        index.onChunk(1, 8, chunk(1, Split.TRAIN, "r/a.py", "r/b.py")); // a ends here, b starts
        index.onChunk(1, 9, chunk(1, Split.TRAIN, "r/b.py", "q/z.py")); // b goes on and ends

        ProvenanceIndex.Answer before = index.answer("r", "c1", frontier(1, 8));
        assertEquals(List.of(Status.NOT_YET_TRAINED, Status.NOT_YET_TRAINED), before.files().stream().map(f -> f.status()).toList());
        assertFalse(before.trained());
        ProvenanceIndex.Answer a = index.answer("r", "c1", frontier(1, 9));
        assertEquals(Status.TRAINED, a.files().get(0).status(), "a.py is in chunks 7 and 8, both below 9");
        assertEquals(List.of(7L, 8L), a.files().get(0).chunks().stream().map(c -> c.offset()).toList());
        assertEquals(Status.NOT_YET_TRAINED, a.files().get(1).status(), "b.py is also in chunk 9");
        assertTrue(index.answer("r", "c1", frontier(1, 10)).trained());
        assertFalse(index.answer("r", "c1", frontier(0, 100)).trained(), "another partition's frontier says nothing");
        assertTrue(index.answer("r", "c2", frontier(1, 10)).files().isEmpty(), "a commit never ingested has no files");
        assertFalse(index.answer("r", "c2", frontier(1, 10)).trained());
    }

    @Test
    void theNthVersionOfAKeyIsTheNthRunOfItAmongTheChunks() {
        ProvenanceIndex index = new ProvenanceIndex();
        index.onSourceFile(0, 1, "r/a.py", file("r", "c1", "a.py"));
        index.onSourceFile(0, 2, "r/a.py", null); // deleted: produces no ids
        index.onSourceFile(0, 3, "r/a.py", file("r", "c3", "a.py"));
        index.onChunk(0, 0, chunk(0, Split.TRAIN, "r/a.py", "r/x.py"));
        index.onChunk(0, 1, chunk(0, Split.TRAIN, "r/x.py", "r/a.py"));
        index.onChunk(0, 2, chunk(0, Split.TRAIN, "r/a.py"));

        assertEquals(List.of(0L), index.answer("r", "c1", frontier(0, 1)).files().get(0).chunks().stream().map(c -> c.offset()).toList());
        assertTrue(index.answer("r", "c1", frontier(0, 1)).trained());
        ProvenanceIndex.Answer third = index.answer("r", "c3", frontier(0, 3));
        assertEquals(List.of(1L, 2L), third.files().get(0).chunks().stream().map(c -> c.offset()).toList());
        assertEquals(Status.NOT_YET_PACKED, third.files().get(0).status(), "its last ids may still wait in the packer");
        index.onChunk(0, 3, chunk(0, Split.TRAIN, "r/y.py"));
        assertEquals(Status.TRAINED, index.answer("r", "c3", frontier(0, 3)).files().get(0).status(),
                "the next chunk starts with another file: a.py ended in chunk 2");
    }

    @Test
    void aValidationRepositoryIsNeverTrainedAndAnUnpackedFileIsNot() {
        ProvenanceIndex index = new ProvenanceIndex();
        index.onSourceFile(2, 5, "v/t.py", file("v", "c9", "t.py"));
        index.onSourceFile(2, 6, "v/u.py", file("v", "c9", "u.py"));
        index.onChunk(0, 0, chunk(2, Split.VALID, "v/t.py", "v/w.py"));
        ProvenanceIndex.Answer answer = index.answer("v", "c9", frontier(0, 100));
        assertEquals(Status.VALIDATION, answer.files().get(0).status());
        assertEquals(Status.NOT_YET_PACKED, answer.files().get(1).status());
        assertFalse(answer.trained());
    }
}
