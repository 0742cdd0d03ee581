package dev.streamparrot.inference.api.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.streamparrot.inference.provenance.CheckpointProvenance;
import dev.streamparrot.inference.provenance.ProvenanceIndex;
import dev.streamparrot.schemas.Split;
import dev.streamparrot.topics.Topics;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * {@code GET /v1/provenance}'s answer: whether the served model ({@code model}, {@code system_fingerprint}) was
 * trained on every file of the commit, and per file the chunks that hold its ids, each with its topic, position
 * and whether the served checkpoint is past it.
 */
@Serdeable
@JsonInclude(JsonInclude.Include.ALWAYS) // a commit with no files answers "files": []
record ProvenanceView(String object, String repository, String commit, String model,
                      @JsonProperty("system_fingerprint") String systemFingerprint, boolean trained, List<File> files) {

    static ProvenanceView of(ProvenanceIndex.Answer answer, String model, CheckpointProvenance checkpoint) {
        return new ProvenanceView("provenance", answer.repository(), answer.commit(), model, checkpoint.fingerprint(),
                answer.trained(), answer.files().stream().map(f -> File.of(f, checkpoint)).toList());
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS) // a file with no chunks yet answers "chunks": []
    record File(String path, String key, @JsonProperty("source_partition") int sourcePartition,
                @JsonProperty("source_offset") long sourceOffset, String status, List<Chunk> chunks) {
        static File of(ProvenanceIndex.FileAnswer f, CheckpointProvenance checkpoint) {
            return new File(f.file().path(), f.file().key(), f.file().partition(), f.file().offset(),
                    f.status().name().toLowerCase(), f.chunks().stream().map(c -> Chunk.of(c, checkpoint)).toList());
        }
    }

    @Serdeable
    record Chunk(String topic, int partition, long offset, boolean trained) {
        static Chunk of(ProvenanceIndex.ChunkRef c, CheckpointProvenance checkpoint) {
            boolean train = c.split() == Split.TRAIN;
            return new Chunk((train ? Topics.CHUNKS_TRAIN : Topics.CHUNKS_VALID).name(), c.partition(), c.offset(),
                    train && checkpoint.trained(c.partition(), c.offset()));
        }
    }
}
