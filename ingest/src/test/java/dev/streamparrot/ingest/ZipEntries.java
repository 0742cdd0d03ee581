package dev.streamparrot.ingest;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

import java.io.IOException;

/** Test archives written entry by entry, hostile names and sizes included. */
public final class ZipEntries {
    private ZipEntries() {}

    /** Adds one entry named exactly {@code name} (no check: tests write {@code ../} and absolute names on purpose). */
    public static void add(ZipArchiveOutputStream zip, String name, byte[] data) throws IOException {
        zip.putArchiveEntry(new ZipArchiveEntry(name));
        zip.write(data);
        zip.closeArchiveEntry();
    }
}
