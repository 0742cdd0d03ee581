package dev.streamparrot.ingest.source;

/**
 * What an archive may decompress to before it is treated as a decompression bomb.
 *
 * @param maxTotalBytes   uncompressed bytes one archive may produce in all
 * @param maxRatio        uncompressed : compressed ratio allowed once past {@code ratioGraceBytes}
 * @param ratioGraceBytes below this many uncompressed bytes the ratio is not checked (tiny files compress absurdly)
 */
public record ArchiveLimits(long maxTotalBytes, double maxRatio, long ratioGraceBytes) {
    public static ArchiveLimits defaults() {
        return new ArchiveLimits(8L << 30, 100, 1L << 20);
    }
}
