package dev.streamparrot.ingest.source;

import java.util.List;

/**
 * What changed in a repository since the last ingest.
 *
 * @param url          where it was fetched from
 * @param repoName     short name used as {@code CandidateFile.source()}, e.g. "owner/project"
 * @param fromCommit   the last ingested commit, or null on first ingest (or when it no longer exists)
 * @param toCommit     the tip that was ingested now; the next sync's {@code lastCommit}
 * @param license      SPDX id detected from the LICENSE file at the tip, or null
 * @param changedPaths files added or modified (all files when {@code fromCommit} is null)
 * @param deletedPaths files removed since {@code fromCommit}
 */
public record GitChanges(String url, String repoName, String fromCommit, String toCommit, String license,
                         List<String> changedPaths, List<String> deletedPaths) {
    public GitChanges {
        changedPaths = List.copyOf(changedPaths);
        deletedPaths = List.copyOf(deletedPaths);
    }

    public boolean upToDate() {
        return toCommit.equals(fromCommit);
    }
}
