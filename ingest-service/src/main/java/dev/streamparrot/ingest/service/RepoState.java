package dev.streamparrot.ingest.service;

import io.micronaut.serde.annotation.Serdeable;

import java.time.Instant;
import java.util.Map;

/**
 * What the service knows of one tracked repository, as {@code GET /repos} shows it.
 *
 * @param status     queued, cloning, ingesting, done or failed
 * @param reason     why it failed, else null
 * @param lastCommit the last ingested commit of the tracked ref
 * @param accepted   files cleaned and sent on to deduplication, over all ingests
 * @param rejected   files rejected by the cleaning stage, by reason, over all ingests
 */
@Serdeable
public record RepoState(String id, String url, String ref, String status, String reason, String lastCommit,
                        String license, long accepted, Map<String, Long> rejected, Instant updatedAt) {

    RepoState with(String status, String reason) {
        return new RepoState(id, url, ref, status, reason, lastCommit, license, accepted, rejected, Instant.now());
    }
}
