package dev.streamparrot.packer.core;

import java.util.Arrays;
import java.util.List;

/** Exactly seq_length ids and the files (source keys, in order) they came from. */
public record PackedChunk(int[] ids, List<String> sourceKeys) {
    public PackedChunk {
        sourceKeys = List.copyOf(sourceKeys);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PackedChunk c && Arrays.equals(ids, c.ids) && sourceKeys.equals(c.sourceKeys);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + sourceKeys.hashCode();
    }

    @Override
    public String toString() {
        return "PackedChunk[" + ids.length + " ids, " + sourceKeys + "]";
    }
}
