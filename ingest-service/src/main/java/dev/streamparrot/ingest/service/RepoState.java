package dev.streamparrot.ingest.service;

import io.micronaut.serde.annotation.Serdeable;

import java.time.Instant;
import java.util.Map;

/**
 * What the service knows of one tracked repository, as {@code GET /repos} shows it and the repo-state
 * topic keeps it.
 *
 * @param status     queued, cloning, ingesting, done or failed
 * @param reason     why it failed, else null
 * @param lastCommit the last commit of the tracked ref whose files are durably published
 * @param accepted   files cleaned and sent on to deduplication, over all ingests
 * @param deleted    deletions published for files that later commits removed, over all ingests
 * @param rejected   files rejected by the cleaning stage, by reason, over all ingests
 */
@Serdeable
public record RepoState(String id, String url, String ref, String status, String reason, String lastCommit,
                        String license, long accepted, long deleted, Map<String, Long> rejected, Instant updatedAt) {

    static RepoState queued(String id, String url, String ref) {
        return new RepoState(id, url, ref, "queued", null, null, null, 0, 0, Map.of(), Instant.now());
    }

    RepoState with(String status, String reason) {
        return new RepoState(id, url, ref, status, reason, lastCommit, license, accepted, deleted, rejected, Instant.now());
    }

    /** Work a stop interrupted: queued, cloning or ingesting. */
    boolean unfinished() {
        return !status.equals("done") && !status.equals("failed");
    }
}
