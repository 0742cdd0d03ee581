package dev.streamparrot.packer.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The book's {@code ConstantLengthDataset}, one file at a time: each file's ids and then end-of-text
 * are appended to the carried remainder, and every full seq_length ids are cut off as a chunk. No
 * padding and no partial chunk: what does not fill a chunk waits in the {@link Remainder} for the next
 * file. Pure: the caller keeps the remainder (in a state store), so a replay gives the same chunks.
 *
 * <p>A chunk lists every file that contributed at least one id to it, its end-of-text included.
 */
public final class Packer {
    public static final int DEFAULT_SEQ_LENGTH = 1024;

    private final int seqLength;

    public Packer(int seqLength) {
        if (seqLength < 1) throw new IllegalArgumentException("seqLength must be positive: " + seqLength);
        this.seqLength = seqLength;
    }

    public int seqLength() {
        return seqLength;
    }

    /** What one file produced: the complete chunks, in order, and what is carried to the next file. */
    public record Packed(List<PackedChunk> chunks, Remainder remainder) {}

    public Packed accept(Remainder carried, int[] fileIds, int eosId, String sourceKey) {
        int total = carried.ids().length + fileIds.length + 1;
        int[] stream = new int[total];
        System.arraycopy(carried.ids(), 0, stream, 0, carried.ids().length);
        System.arraycopy(fileIds, 0, stream, carried.ids().length, fileIds.length);
        stream[total - 1] = eosId;

        List<PackedChunk> chunks = new ArrayList<>(total / seqLength);
        int from = 0;
        List<String> keys = carried.sourceKeys();
        while (total - from >= seqLength) {
            List<String> chunkKeys = new ArrayList<>(keys);
            chunkKeys.add(sourceKey); // the carried part is shorter than a chunk, so this file is in it
            int[] ids = new int[seqLength];
            System.arraycopy(stream, from, ids, 0, seqLength);
            chunks.add(new PackedChunk(ids, chunkKeys));
            from += seqLength;
            keys = List.of(); // the next chunk starts inside (or just after) this file
        }
        int[] rest = new int[total - from];
        System.arraycopy(stream, from, rest, 0, rest.length);
        List<String> restKeys = new ArrayList<>(keys);
        if (rest.length > 0) restKeys.add(sourceKey);
        return new Packed(chunks, new Remainder(rest, restKeys));
    }
}
