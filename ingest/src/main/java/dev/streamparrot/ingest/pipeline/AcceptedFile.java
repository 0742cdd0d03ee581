package dev.streamparrot.ingest.pipeline;

import dev.streamparrot.ingest.file.CandidateFile;
import dev.streamparrot.ingest.file.ContentHash;
/**
 * A file that passed every stage: what the sinks (CLI output, Kafka producer) publish.
 *
 * @param file        the candidate as the source gave it
 * @param content     its content decoded as UTF-8
 * @param contentHash {@link ContentHash#of} the content
 */
public record AcceptedFile(CandidateFile file, String content, String contentHash) {}
