package dev.streamparrot.ingest.service;

import dev.streamparrot.ingest.pipeline.AcceptedFile;
import dev.streamparrot.ingest.pipeline.Rejection;
import dev.streamparrot.schemas.RejectedFile;
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
        return file.getRepo() + "/" + file.getPath();
    }
}
