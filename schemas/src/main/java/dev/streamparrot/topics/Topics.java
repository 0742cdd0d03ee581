package dev.streamparrot.topics;

import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.schemas.CheckpointEvaluation;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.DeadLetter;
import dev.streamparrot.schemas.RejectedFile;
import dev.streamparrot.schemas.ReplayMarker;
import dev.streamparrot.schemas.RepositoryRequest;
import dev.streamparrot.schemas.RepositoryState;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.schemas.TokenizedFile;
import dev.streamparrot.schemas.TokenizerActivation;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.schemas.TrainerFragment;

import java.util.List;
import java.util.Map;

/** The topic catalog: every topic of the system, used by every service and by the cluster command. */
public final class Topics {
    private Topics() {}

    /** Source files go up to 1 MiB of content; a little headroom for the other fields. */
    public static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

    /** A trainer group's rounds: the newest 2 GiB (the active segment is never deleted, so the latest round stays). */
    static final Map<String, String> GROUP_ROUNDS = Map.of("retention.bytes", "" + (2L << 30), "segment.bytes", "" + (256 << 20));
    /** A trainer group's working records: a day, in hourly segments (a round lasts minutes). */
    static final Map<String, String> GROUP_SCRATCH = Map.of("retention.ms", "" + 86_400_000L, "segment.ms", "" + 3_600_000L);

    public static final Topic<RepositoryRequest> REPO_REQUESTS =
            new Topic<>("repo-requests", 1, "delete", "repository url", RepositoryRequest.class);
    /** The ingest service's tracked repositories, read back whole at start: compacted, the latest state per repository. */
    public static final Topic<RepositoryState> REPO_STATE =
            new Topic<>("repo-state", 1, "compact", "repository id", RepositoryState.class);
    /**
     * Cleaned files before deduplication, keyed by content hash so that all copies of a content meet in one
     * partition. A file deleted from its repository is a record with a null value keyed by the content hash
     * it had (by repo/path when unknown). Same partition count as {@link #DEDUP_VERDICTS}.
     */
    public static final Topic<SourceFile> INGEST_CANDIDATES =
            new Topic<>("ingest-candidates", 4, "delete", "content hash (of the deleted file, for a deletion)", SourceFile.class);
    /**
     * The dedup stage's own: each file's band bucket entries, spread over partitions by bucket, and every
     * candidates partition's progress. Binary, written and read only by ingest's DedupTopology (no registry).
     */
    public static final Topic<byte[]> DEDUP_BANDS =
            new Topic<>("dedup-bands", 4, "delete", "LSH band bucket", byte[].class);
    /**
     * The dedup stage's own: near-duplicates found for a file, sent to the partition that holds it, and every
     * bands partition's progress. Binary, as dedup-bands. Same partition count as {@link #INGEST_CANDIDATES}.
     */
    public static final Topic<byte[]> DEDUP_VERDICTS =
            new Topic<>("dedup-verdicts", 4, "delete", "content hash", byte[].class);
    /** A null value (tombstone) says the file at repo/path was deleted from its repository. */
    public static final Topic<SourceFile> SOURCE_FILES =
            new Topic<>("source-files", 4, "delete", "repo/path", SourceFile.class);
    public static final Topic<RejectedFile> REJECTED_FILES =
            new Topic<>("rejected-files", 1, "delete", "source/path", RejectedFile.class);
    public static final Topic<TokenizerRelease> TOKENIZER_RELEASES =
            new Topic<>("tokenizer-releases", 1, "compact", "tokenizer id", TokenizerRelease.class);
    public static final Topic<TokenizerActivation> TOKENIZER_ACTIVATIONS =
            new Topic<>("tokenizer-activations", 1, "delete", "tokenizer id", TokenizerActivation.class);
    public static final Topic<TokenizedFile> TOKEN_IDS =
            new Topic<>("token-ids", 4, "delete", "repo/path (same partition as its source file)", TokenizedFile.class);
    public static final Topic<Chunk> CHUNKS_TRAIN =
            new Topic<>("chunks-train", 4, "delete", "input partition", Chunk.class);
    public static final Topic<Chunk> CHUNKS_VALID =
            new Topic<>("chunks-valid", 1, "delete", "input partition", Chunk.class);
    public static final Topic<CheckpointAnnouncement> CHECKPOINTS =
            new Topic<>("checkpoints", 1, "delete", "run id/step", CheckpointAnnouncement.class);
    /** Which checkpoint each inference instance serves: the trainer's retention never deletes these (compacted). */
    public static final Topic<CheckpointAnnouncement> CHECKPOINT_PINS =
            new Topic<>("checkpoint-pins", 1, "compact", "inference instance", CheckpointAnnouncement.class);
    /** Each announced checkpoint's eval loss and HumanEval pass@1 (inference's evaluator): the model's quality over time. */
    public static final Topic<CheckpointEvaluation> CHECKPOINT_EVALUATIONS =
            new Topic<>("checkpoint-evaluations", 1, "delete", "run id/step", CheckpointEvaluation.class);
    public static final Topic<DeadLetter> DEAD_LETTERS =
            new Topic<>("dead-letters", 1, "delete", "original topic", DeadLetter.class);
    /** Which dead letters were re-published (replay-dead-letters), so none is replayed twice. */
    public static final Topic<ReplayMarker> DEAD_LETTER_REPLAYS =
            new Topic<>("dead-letter-replays", 1, "compact", "dead-letters/<partition>/<offset>", ReplayMarker.class);

    /**
     * Trainer group (DiLoCo): members' contributions to a round, as fragments; read by the group's coordinator. Only the
     * open round's are ever read again, so they age out after a day (trainer-service/README.md, "Retention").
     */
    public static final Topic<TrainerFragment> TRAINER_CONTRIBUTIONS =
            new Topic<>("trainer-contributions", 1, "delete", "group/kind/round/member", TrainerFragment.class, GROUP_SCRATCH);
    /** Trainer group: the global parameters of each round, as fragments, written by the coordinator; read by every member. */
    public static final Topic<TrainerFragment> TRAINER_GLOBAL =
            new Topic<>("trainer-global", 1, "delete", "group/kind/round/member", TrainerFragment.class, GROUP_ROUNDS);
    /** Trainer group: the coordinator's outer (Nesterov) momentum of each round, in the same transaction as the global parameters. */
    public static final Topic<TrainerFragment> TRAINER_OUTER =
            new Topic<>("trainer-outer", 1, "delete", "group/kind/round/member", TrainerFragment.class, GROUP_ROUNDS);
    /** Trainer group: never written; the member that owns its one partition is the group's coordinator. */
    public static final Topic<TrainerFragment> TRAINER_COORDINATOR =
            new Topic<>("trainer-coordinator", 1, "delete", "-", TrainerFragment.class, GROUP_SCRATCH);

    public static final List<Topic<?>> ALL = List.of(REPO_REQUESTS, REPO_STATE, INGEST_CANDIDATES, DEDUP_BANDS, DEDUP_VERDICTS, SOURCE_FILES, REJECTED_FILES,
            TOKENIZER_RELEASES, TOKENIZER_ACTIVATIONS, TOKEN_IDS, CHUNKS_TRAIN, CHUNKS_VALID, CHECKPOINTS, DEAD_LETTERS,
            DEAD_LETTER_REPLAYS, CHECKPOINT_PINS, CHECKPOINT_EVALUATIONS, TRAINER_CONTRIBUTIONS, TRAINER_GLOBAL, TRAINER_OUTER,
            TRAINER_COORDINATOR);

    public static Topic<?> byName(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no topic named " + name + " in the catalog"));
    }
}
