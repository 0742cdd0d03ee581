package dev.streamparrot.packer.core;

import dev.streamparrot.schemas.Split;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PackerTest {
    static final int EOS = 0;

    @Test
    void cutsExactlySeqLengthAndCarriesTheRest() {
        Packer packer = new Packer(4);
        Packer.Packed first = packer.accept(Remainder.EMPTY, new int[] {1, 2}, EOS, "a");
        assertEquals(List.of(), first.chunks(), "3 ids do not fill a chunk of 4");
        assertArrayEquals(new int[] {1, 2, EOS}, first.remainder().ids());

        Packer.Packed second = packer.accept(first.remainder(), new int[] {3, 4, 5, 6, 7, 8}, EOS, "b");
        assertEquals(2, second.chunks().size());
        assertArrayEquals(new int[] {1, 2, EOS, 3}, second.chunks().get(0).ids());
        assertEquals(List.of("a", "b"), second.chunks().get(0).sourceKeys());
        assertArrayEquals(new int[] {4, 5, 6, 7}, second.chunks().get(1).ids());
        assertEquals(List.of("b"), second.chunks().get(1).sourceKeys());
        assertEquals(new Remainder(new int[] {8, EOS}, List.of("b")), second.remainder());
    }

    @Test
    void aFileEndingOnAChunkBoundaryLeavesNothingBehind() {
        Packer.Packed packed = new Packer(3).accept(Remainder.EMPTY, new int[] {1, 2}, EOS, "a");
        assertEquals(1, packed.chunks().size());
        assertEquals(Remainder.EMPTY, packed.remainder());
    }

    @Test
    void fileByFileEqualsTheOfflineReferenceWithTheSplitByRepository() {
        Random random = new Random(42);
        RepoSplit split = new RepoSplit(0.3);
        List<ReferencePacker.File> files = new ArrayList<>();
        for (int f = 0; f < 500; f++) {
            int[] ids = random.ints(random.nextInt(200), 1, 1000).toArray();
            files.add(new ReferencePacker.File("repo" + (f % 37) + "/file" + f + ".py", "repo" + (f % 37), ids));
        }
        int seqLength = 64;
        Packer packer = new Packer(seqLength);
        Map<Split, Remainder> remainders = new EnumMap<>(Split.class);
        Map<Split, List<PackedChunk>> chunks = new EnumMap<>(Split.class);
        for (ReferencePacker.File file : files) {
            Split s = split.of(file.repo());
            // through bytes, as the state store keeps it
            Remainder carried = Remainder.fromBytes(remainders.getOrDefault(s, Remainder.EMPTY).toBytes());
            Packer.Packed packed = packer.accept(carried, file.ids(), EOS, file.sourceKey());
            chunks.computeIfAbsent(s, k -> new ArrayList<>()).addAll(packed.chunks());
            remainders.put(s, packed.remainder());
        }
        Map<Split, List<PackedChunk>> reference = ReferencePacker.pack(files, seqLength, EOS, split);
        assertTrue(reference.get(Split.VALID).size() > 10 && reference.get(Split.TRAIN).size() > 10, reference.toString());
        assertEquals(reference.get(Split.TRAIN), chunks.get(Split.TRAIN));
        assertEquals(reference.get(Split.VALID), chunks.get(Split.VALID));
    }

    @Test
    void theSplitIsStableAndNearTheShare() {
        RepoSplit split = new RepoSplit(0.01);
        int valid = 0;
        for (int r = 0; r < 20_000; r++) if (split.of("owner/repo-" + r) == Split.VALID) valid++;
        assertTrue(valid > 140 && valid < 260, valid + " valid of 20000");
        assertEquals(split.of("codeparrot/codeparrot"), new RepoSplit(0.01).of("codeparrot/codeparrot"));
        assertEquals(Split.TRAIN, new RepoSplit(0).of("owner/repo-1"));
        assertEquals(Split.VALID, new RepoSplit(1).of("owner/repo-1"));
    }
}
