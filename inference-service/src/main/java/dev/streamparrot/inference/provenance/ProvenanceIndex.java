package dev.streamparrot.inference.provenance;

import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.schemas.Split;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each ingested file version went: repository + commit → source files → the chunks that hold their
 * ids, so that a checkpoint's frontier answers "has the model seen commit X?".
 *
 * <p>The packer keeps the order of each source-files partition: the k-th version of a key in source-files
 * partition p is the k-th run of that key among the chunks cut from input partition p (a file's ids go on
 * in the next chunk when that chunk starts with its key). Holds no content: a file version is its key,
 * commit and offset, a chunk is its topic partition and offset. Thread-safe: the followers of source-files
 * and of the chunk topics feed it while requests read it.
 *
 * <p>Not covered: a file version that tokenize dead-lettered shifts the count of its key's later versions in
 * its partition; two versions of one key packed back to back, the first ending exactly at a chunk boundary,
 * read as one.
 */
public final class ProvenanceIndex {

    /** A chunk on its topic: {@code split} tells the topic (chunks-train or chunks-valid). */
    public record ChunkRef(Split split, int partition, long offset) {}

    /** One version of a file as source-files holds it. */
    public record FileVersion(String key, String repo, String commit, String path, int partition, long offset, int occurrence) {}

    /** What became of one file version. */
    public enum Status {
        /** every chunk that holds its ids is below the checkpoint's frontier */
        TRAINED,
        /** all of it is in chunks-train, not all of them below the frontier yet */
        NOT_YET_TRAINED,
        /** not all of its ids are in a chunk yet (the packer waits for more ids to fill the next chunk) */
        NOT_YET_PACKED,
        /** its repository is in the valid split: evaluated on, never trained on */
        VALIDATION
    }

    public record FileAnswer(FileVersion file, List<ChunkRef> chunks, Status status) {}

    /** The answer for a repository and commit under one checkpoint; {@code trained} needs at least one file. */
    public record Answer(String repository, String commit, List<FileAnswer> files) {
        public boolean trained() {
            return !files.isEmpty() && files.stream().allMatch(f -> f.status() == Status.TRAINED);
        }
    }

    private record Occurrence(int inputPartition, String key, int index) {}

    /** The chunks of one occurrence, and whether the file's last id has been cut into one of them. */
    private static final class Placement {
        final List<ChunkRef> chunks = new ArrayList<>();
        boolean complete;
    }

    /** The last chunk seen per (split, input partition, tokenizer): one packer stream, whose runs continue across chunks. */
    private record Stream(Split split, int inputPartition, String tokenizerId) {}

    private final Map<String, List<FileVersion>> byCommit = new HashMap<>();
    private final Map<String, Integer> sourceVersions = new HashMap<>();
    private final Map<String, Integer> chunkRuns = new HashMap<>();
    private final Map<Occurrence, Placement> placements = new HashMap<>();
    /** Per stream: the occurrence that the stream's last chunk ended with, still open until the next chunk. */
    private final Map<Stream, Occurrence> openRuns = new HashMap<>();

    /** A source-files record; a tombstone (null) produces no ids downstream and counts as no version. */
    public synchronized void onSourceFile(int partition, long offset, String key, SourceFile file) {
        if (file == null) return;
        int occurrence = sourceVersions.merge(partition + "\u0000" + key, 1, Integer::sum) - 1;
        String commit = file.getCommit() == null ? null : file.getCommit().toString();
        if (commit == null) return; // directories, archives and JSONL have no commits to ask about
        FileVersion version = new FileVersion(key, file.getRepo().toString(), commit, file.getPath().toString(),
                partition, offset, occurrence);
        byCommit.computeIfAbsent(commitKey(version.repo(), commit), k -> new ArrayList<>()).add(version);
    }

    /** A chunk read from its topic at this partition and offset. */
    public synchronized void onChunk(int partition, long offset, Chunk chunk) {
        Stream stream = new Stream(chunk.getSplit(), chunk.getInputPartition(), chunk.getTokenizerId().toString());
        ChunkRef ref = new ChunkRef(chunk.getSplit(), partition, offset);
        List<String> keys = chunk.getSourceKeys();
        Occurrence open = openRuns.remove(stream);
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            Occurrence occurrence;
            if (i == 0 && open != null && open.key().equals(key)) {
                occurrence = open; // the file goes on from the previous chunk
            } else {
                if (open != null) placements.get(open).complete = true;
                int index = chunkRuns.merge(chunk.getInputPartition() + "\u0000" + key, 1, Integer::sum) - 1;
                occurrence = new Occurrence(chunk.getInputPartition(), key, index);
            }
            open = null;
            Placement placement = placements.computeIfAbsent(occurrence, o -> new Placement());
            placement.chunks.add(ref);
            if (i < keys.size() - 1) placement.complete = true; // another file follows it in this chunk
            else openRuns.put(stream, occurrence);
        }
        if (open != null) placements.get(open).complete = true; // an empty chunk cannot happen; keep the state sane
    }

    /** The files of {@code repository} (as source-files names it) published at {@code commit}, under {@code checkpoint}. */
    public synchronized Answer answer(String repository, String commit, CheckpointProvenance checkpoint) {
        List<FileAnswer> files = new ArrayList<>();
        for (FileVersion v : byCommit.getOrDefault(commitKey(repository, commit), List.of())) {
            Placement placement = placements.get(new Occurrence(v.partition(), v.key(), v.occurrence()));
            List<ChunkRef> chunks = placement == null ? List.of() : List.copyOf(placement.chunks);
            files.add(new FileAnswer(v, chunks, status(placement, chunks, checkpoint)));
        }
        return new Answer(repository, commit, files);
    }

    private static Status status(Placement placement, List<ChunkRef> chunks, CheckpointProvenance checkpoint) {
        if (!chunks.isEmpty() && chunks.get(0).split() == Split.VALID) return Status.VALIDATION;
        if (placement == null || !placement.complete) return Status.NOT_YET_PACKED;
        boolean trained = chunks.stream().allMatch(c -> checkpoint.trained(c.partition(), c.offset()));
        return trained ? Status.TRAINED : Status.NOT_YET_TRAINED;
    }

    private static String commitKey(String repository, String commit) {
        return repository + "\u0000" + commit;
    }
}
