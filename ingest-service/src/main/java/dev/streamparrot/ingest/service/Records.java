package dev.streamparrot.ingest.service;

import dev.streamparrot.ingest.pipeline.AcceptedFile;
import dev.streamparrot.ingest.file.Rejection;
import dev.streamparrot.schemas.RejectedFile;
import dev.streamparrot.schemas.RepositoryState;
import dev.streamparrot.schemas.SourceFile;

/** The ingest library's values as the Avro records that cross topics. */
final class Records {
    private Records() {}

    static SourceFile sourceFile(AcceptedFile accepted) {
        var file = accepted.file();
        return SourceFile.newBuilder()
                .setRepo(file.source())
                .setCommit(file.commit())
                .setPath(file.path())
                .setLicense(file.licenseHint() == null ? "unknown" : file.licenseHint())
                .setSize(file.bytes().length)
                .setContentHash(accepted.contentHash())
                .setContent(accepted.content())
                .setCopies(Math.max(1, file.copiesHint()))
                .build();
    }

    static RejectedFile rejected(Rejection rejection, String commit, long size) {
        return RejectedFile.newBuilder()
                .setSource(rejection.source())
                .setCommit(commit)
                .setPath(rejection.path())
                .setReason(rejection.reason().name())
                .setDetail(rejection.detail())
                .setSize(size)
                .build();
    }

    /** The key of source-files and token-ids: the packer splits train/valid by the repo part. */
    static String key(SourceFile file) {
        return key(file.getRepo(), file.getPath());
    }

    static String key(String repo, String path) {
        return repo + "/" + path;
    }

    static RepositoryState repositoryState(RepoState state) {
        return RepositoryState.newBuilder()
                .setId(state.id()).setUrl(state.url()).setRef(state.ref())
                .setStatus(state.status()).setReason(state.reason())
                .setLastCommit(state.lastCommit()).setLicense(state.license())
                .setAccepted(state.accepted()).setDeleted(state.deleted())
                .setRejected(new java.util.HashMap<>(state.rejected()))
                .setUpdatedAt(state.updatedAt())
                .build();
    }

    static RepoState repoState(RepositoryState state) {
        return new RepoState(state.getId(), state.getUrl(), state.getRef(), state.getStatus(), state.getReason(),
                state.getLastCommit(), state.getLicense(), state.getAccepted(), state.getDeleted(),
                new java.util.TreeMap<>(state.getRejected()), state.getUpdatedAt());
    }
}
