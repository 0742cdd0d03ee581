package dev.streamparrot.ingest.file;

import java.util.Objects;

/**
 * One file offered for ingestion, exactly as a source found it.
 *
 * @param source      where it came from: a repository name or an archive/JSONL file name
 * @param commit      the commit it was read at, or null outside git
 * @param path        its path inside the source, '/'-separated
 * @param bytes       its raw content (not yet known to be text)
 * @param licenseHint SPDX id of the license the source declares, or null when unknown
 * @param copiesHint  how many copies the source says exist (CodeParrot's "copies"; 1 when unknown)
 */
public record CandidateFile(String source, String commit, String path, byte[] bytes, String licenseHint, int copiesHint) {
    public CandidateFile {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(bytes, "bytes");
    }

    /** A key naming this file uniquely enough for logs and dedup records: source[@commit]:path. */
    public String key() {
        return commit == null ? source + ":" + path : source + "@" + commit + ":" + path;
    }
}
