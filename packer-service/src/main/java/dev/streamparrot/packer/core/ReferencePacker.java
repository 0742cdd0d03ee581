package dev.streamparrot.packer.core;

import dev.streamparrot.schemas.Split;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The offline reference: the book's ConstantLengthDataset as one plain loop over all files at once
 * (concatenate ids + eos, cut every seq_length). Written independently of {@link Packer}: it tracks the
 * owner file of every position instead of carrying a remainder. It lives in main code (not test code) because
 * two modules check against it: packer-service's tests and the system tests that run tokenize and packer
 * together; a test jar shared between modules would be a test-scope leak.
 */
public final class ReferencePacker {
    private ReferencePacker() {}

    public record File(String sourceKey, String repo, int[] ids) {}

    /** A file as written to token-ids, with the input partition it landed in. */
    public record Written(int partition, File file) {}

    /** One stream of chunks: an input partition and split (the packer keeps one remainder per stream). */
    public record ChunkStream(int partition, Split split) implements Comparable<ChunkStream> {
        @Override
        public int compareTo(ChunkStream o) {
            return partition != o.partition ? Integer.compare(partition, o.partition) : split.compareTo(o.split);
        }
    }

    /** The reference chunks of each (input partition, split), packing each partition's files in order. */
    public static Map<ChunkStream, List<PackedChunk>> packPerPartition(List<Written> written, int seqLength, int eosId, RepoSplit split) {
        Map<Integer, List<File>> byPartition = new TreeMap<>();
        for (Written w : written) byPartition.computeIfAbsent(w.partition(), k -> new ArrayList<>()).add(w.file());
        Map<ChunkStream, List<PackedChunk>> reference = new TreeMap<>();
        byPartition.forEach((partition, files) -> pack(files, seqLength, eosId, split)
                .forEach((s, chunks) -> { if (!chunks.isEmpty()) reference.put(new ChunkStream(partition, s), chunks); }));
        return reference;
    }

    public static int count(Map<ChunkStream, List<PackedChunk>> chunks) {
        return chunks.values().stream().mapToInt(List::size).sum();
    }

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
