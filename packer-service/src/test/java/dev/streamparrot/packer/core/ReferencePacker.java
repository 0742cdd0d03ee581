package dev.streamparrot.packer.core;

import dev.streamparrot.schemas.Split;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The offline reference: the book's ConstantLengthDataset as one plain loop over all files at once
 * (concatenate ids + eos, cut every seq_length). Written independently of {@link Packer}: it tracks the
 * owner file of every position instead of carrying a remainder.
 */
public final class ReferencePacker {
    private ReferencePacker() {}

    public record File(String sourceKey, String repo, int[] ids) {}

    public static Map<Split, List<PackedChunk>> pack(List<File> files, int seqLength, int eosId, RepoSplit split) {
        Map<Split, List<Integer>> streams = new EnumMap<>(Split.class);
        Map<Split, List<String>> owners = new EnumMap<>(Split.class);
        for (File file : files) {
            Split s = split.of(file.repo());
            List<Integer> ids = streams.computeIfAbsent(s, k -> new ArrayList<>());
            List<String> owner = owners.computeIfAbsent(s, k -> new ArrayList<>());
            for (int id : file.ids()) {
                ids.add(id);
                owner.add(file.sourceKey());
            }
            ids.add(eosId);
            owner.add(file.sourceKey());
        }
        Map<Split, List<PackedChunk>> chunks = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            List<PackedChunk> out = new ArrayList<>();
            List<Integer> ids = streams.getOrDefault(s, List.of());
            List<String> owner = owners.getOrDefault(s, List.of());
            for (int from = 0; from + seqLength <= ids.size(); from += seqLength) {
                int[] chunk = new int[seqLength];
                List<String> keys = new ArrayList<>();
                for (int i = 0; i < seqLength; i++) {
                    chunk[i] = ids.get(from + i);
                    String key = owner.get(from + i);
                    if (keys.isEmpty() || !keys.get(keys.size() - 1).equals(key)) keys.add(key);
                }
                out.add(new PackedChunk(chunk, keys));
            }
            chunks.put(s, out);
        }
        return chunks;
    }
}
