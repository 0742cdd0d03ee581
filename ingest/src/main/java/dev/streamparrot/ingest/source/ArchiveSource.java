package dev.streamparrot.ingest.source;

import dev.streamparrot.ingest.file.CandidateFile;
import dev.streamparrot.ingest.file.RejectReason;
import dev.streamparrot.ingest.file.Rejection;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The files inside a .tar, .tar.gz/.tgz or .zip archive, read without extracting anything to disk and
 * treating the archive as hostile: entries with absolute or ".." paths are UNSAFE_PATH, link entries are
 * SYMLINK, and decompression is cut off the moment it exceeds {@link ArchiveLimits} (ARCHIVE_BOMB).
 * A bad zip entry costs only that entry; a tar stream cannot be resynchronised, so there a bomb or a
 * corrupt block ends the archive (reported), never the caller.
 */
public final class ArchiveSource implements FileSource {
    private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:.*");

    private final Path archive;
    private final ArchiveLimits limits;
    private final String license;
    private final String name;

    /** @param license SPDX id all files are under, or null when unknown */
    public ArchiveSource(Path archive, ArchiveLimits limits, String license) {
        this.archive = archive;
        this.limits = limits;
        this.license = license;
        this.name = archive.getFileName().toString();
    }

    public ArchiveSource(Path archive) {
        this(archive, ArchiveLimits.defaults(), null);
    }

    public static boolean isArchive(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".zip") || n.endsWith(".tar") || n.endsWith(".tar.gz") || n.endsWith(".tgz");
    }

    @Override public String name() { return name; }

    @Override
    public void read(SourceListener listener) throws IOException {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".zip")) {
            readZip(listener);
        } else if (n.endsWith(".tar")) {
            readTar(listener, false);
        } else if (n.endsWith(".tar.gz") || n.endsWith(".tgz")) {
            readTar(listener, true);
        } else {
            throw new IOException("not a .tar, .tar.gz, .tgz or .zip archive: " + archive);
        }
    }

    /** Absolute paths, Windows drives and ".." segments could escape an extraction root: refuse them all. */
    static boolean isUnsafe(String entryName) {
        String p = entryName.replace('\\', '/');
        if (p.startsWith("/") || DRIVE.matcher(p).matches() || p.indexOf('\0') >= 0) return true;
        for (String segment : p.split("/")) if (segment.equals("..")) return true;
        return false;
    }

    private void readTar(SourceListener listener, boolean gzipped) throws IOException {
        try (CountingStream raw = new CountingStream(new BufferedInputStream(Files.newInputStream(archive)))) {
            InputStream inflated = gzipped ? new GzipCompressorInputStream(raw, true) : raw;
            InflationGuard guard = new InflationGuard(inflated, limits, gzipped ? raw::count : null, new long[1]);
            TarArchiveInputStream tar = new TarArchiveInputStream(guard);
            String current = "(archive header)";
            // A too-large entry is reported only once skipping it did not set off the bomb guard.
            Rejection pending = null;
            try {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    if (pending != null) listener.onRejected(pending);
                    pending = null;
                    current = entry.getName();
                    if (entry.isDirectory()) continue;
                    if (isUnsafe(current)) {
                        listener.onRejected(new Rejection(name, current, RejectReason.UNSAFE_PATH, "unsafe entry path"));
                    } else if (entry.isSymbolicLink() || entry.isLink()) {
                        listener.onRejected(new Rejection(name, current, RejectReason.SYMLINK, "link to " + entry.getLinkName()));
                    } else if (entry.isFile() && listener.wants(current)) {
                        if (entry.getSize() > listener.maxBytes()) {
                            pending = new Rejection(name, current, RejectReason.TOO_LARGE, entry.getSize() + " bytes");
                        } else {
                            byte[] bytes = tar.readNBytes((int) entry.getSize());
                            listener.onFile(new CandidateFile(name, null, current, bytes, license, 1));
                        }
                    }
                }
                if (pending != null) listener.onRejected(pending);
            } catch (IOException e) {
                if (guard.tripped() != null) {
                    listener.onRejected(new Rejection(name, current, RejectReason.ARCHIVE_BOMB, guard.tripped() + "; rest of archive skipped"));
                } else {
                    listener.onRejected(new Rejection(name, current, RejectReason.UNREADABLE, e + "; rest of archive skipped"));
                }
            }
        }
    }

    private void readZip(SourceListener listener) throws IOException {
        long[] total = new long[1];
        try (ZipFile zip = ZipFile.builder().setPath(archive).get()) {
            Enumeration<ZipArchiveEntry> entries = zip.getEntries();
            while (entries.hasMoreElements()) {
                ZipArchiveEntry entry = entries.nextElement();
                String path = entry.getName();
                if (entry.isDirectory()) continue;
                if (isUnsafe(path)) {
                    listener.onRejected(new Rejection(name, path, RejectReason.UNSAFE_PATH, "unsafe entry path"));
                    continue;
                }
                if (entry.isUnixSymlink()) {
                    listener.onRejected(new Rejection(name, path, RejectReason.SYMLINK, "symbolic link entry"));
                    continue;
                }
                if (!listener.wants(path)) continue;
                long size = entry.getSize();
                long compressed = entry.getCompressedSize();
                // The central directory's sizes can lie; they are only used to refuse early, the guard checks the real bytes.
                if (size > limits.ratioGraceBytes() && compressed > 0 && (double) size / compressed > limits.maxRatio()) {
                    listener.onRejected(new Rejection(name, path, RejectReason.ARCHIVE_BOMB,
                            String.format("declared ratio %.0f:1", (double) size / compressed)));
                    continue;
                }
                if (size > listener.maxBytes()) {
                    listener.onRejected(new Rejection(name, path, RejectReason.TOO_LARGE, size + " bytes"));
                    continue;
                }
                InflationGuard guard = null;
                try (InputStream in = zip.getInputStream(entry)) {
                    guard = new InflationGuard(in, limits, () -> Math.max(compressed, 1), total);
                    byte[] bytes = guard.readNBytes(listener.maxBytes() + 1);
                    if (size >= 0 && bytes.length != size) {
                        listener.onRejected(new Rejection(name, path, RejectReason.ARCHIVE_BOMB,
                                "inflates to a size other than the declared " + size + " bytes"));
                        continue;
                    }
                    if (bytes.length > listener.maxBytes()) {
                        listener.onRejected(new Rejection(name, path, RejectReason.TOO_LARGE, "over " + listener.maxBytes() + " bytes"));
                        continue;
                    }
                    listener.onFile(new CandidateFile(name, null, path, bytes, license, 1));
                } catch (IOException e) {
                    boolean bomb = guard != null && guard.tripped() != null;
                    listener.onRejected(new Rejection(name, path, bomb ? RejectReason.ARCHIVE_BOMB : RejectReason.UNREADABLE,
                            bomb ? guard.tripped() : e.toString()));
                    if (total[0] > limits.maxTotalBytes()) return; // the archive as a whole is the bomb
                }
            }
        }
    }

    /** Counts the compressed bytes the decompressor has consumed. */
    private static final class CountingStream extends FilterInputStream {
        private long count;

        CountingStream(InputStream in) { super(in); }

        long count() { return count; }

        @Override public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count += n;
            return n;
        }

        @Override public long skip(long n) throws IOException {
            long s = super.skip(n);
            count += s;
            return s;
        }
    }
}
