package dev.streamparrot.ingest.source;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongSupplier;

/**
 * Counts the bytes coming out of a decompressor and stops them, with {@link ArchiveBombException}, as
 * soon as the total or the ratio to the compressed bytes consumed exceeds the limits. Checking while
 * reading, not afterwards, is what keeps a bomb from filling memory or disk first.
 */
final class InflationGuard extends FilterInputStream {
    private final ArchiveLimits limits;
    private final LongSupplier compressedBytes; // null: no compression, no ratio to check
    private final long[] total;                 // shared by the entries of one zip: the archive's total
    private long inflated;                      // this stream's own output, for the ratio
    private String tripped;

    InflationGuard(InputStream in, ArchiveLimits limits, LongSupplier compressedBytes, long[] total) {
        super(in);
        this.limits = limits;
        this.compressedBytes = compressedBytes;
        this.total = total;
    }

    /** Why the guard stopped the stream, or null; readers may wrap our exception in their own. */
    String tripped() { return tripped; }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) count(1);
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) count(n);
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Skipping still inflates; read through so every byte is counted.
        byte[] sink = new byte[8192];
        long skipped = 0;
        while (skipped < n) {
            int r = read(sink, 0, (int) Math.min(sink.length, n - skipped));
            if (r < 0) break;
            skipped += r;
        }
        return skipped;
    }

    private void count(int n) throws ArchiveBombException {
        total[0] += n;
        inflated += n;
        if (total[0] > limits.maxTotalBytes()) {
            trip("inflates beyond " + limits.maxTotalBytes() + " bytes in all");
        }
        if (compressedBytes != null && inflated > limits.ratioGraceBytes()) {
            double ratio = (double) inflated / Math.max(1, compressedBytes.getAsLong());
            if (ratio > limits.maxRatio()) {
                trip(String.format("compression ratio %.0f:1 > %.0f:1", ratio, limits.maxRatio()));
            }
        }
    }

    private void trip(String why) throws ArchiveBombException {
        tripped = why;
        throw new ArchiveBombException(why);
    }
}
