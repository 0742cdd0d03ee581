package dev.streamparrot.ingest.source;

import dev.streamparrot.ingest.ZipEntries;
import dev.streamparrot.ingest.file.RejectReason;
import dev.streamparrot.ingest.file.Rejection;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArchiveSourceTest {
    static final byte[] GOOD = "print('hello')\n".getBytes(StandardCharsets.UTF_8);

    /** Writes a tar entry; name kept verbatim (absolute paths included) as a hostile tool would. */
    static void tarEntry(TarArchiveOutputStream tar, String name, byte[] data) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
        e.setSize(data.length);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    static void tarZeros(TarArchiveOutputStream tar, String name, int size) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(size);
        tar.putArchiveEntry(e);
        byte[] block = new byte[1 << 16];
        for (int left = size; left > 0; left -= block.length) tar.write(block, 0, Math.min(left, block.length));
        tar.closeArchiveEntry();
    }

    static Path hostileTarGz(Path dir) throws IOException {
        Path p = dir.resolve("hostile.tar.gz");
        try (OutputStream out = new GzipCompressorOutputStream(Files.newOutputStream(p));
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tarEntry(tar, "pkg/good.py", GOOD);
            tarEntry(tar, "../evil.py", GOOD);
            tarEntry(tar, "/etc/abs.py", GOOD);
            TarArchiveEntry link = new TarArchiveEntry("pkg/link.py", TarConstants.LF_SYMLINK);
            link.setLinkName("/etc/passwd");
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
            tarZeros(tar, "pkg/bomb.bin", 16 << 20);       // unwanted, but skipping it still inflates it
            tarEntry(tar, "pkg/after.py", GOOD);
        }
        return p;
    }

    static Path hostileZip(Path dir) throws IOException {
        Path p = dir.resolve("hostile.zip");
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(p)) {
            ZipEntries.add(zip, "../../evil.py", GOOD);
            ZipEntries.add(zip, "C:/windows/evil.py", GOOD);
            ZipArchiveEntry link = new ZipArchiveEntry("link.py");
            link.setUnixMode(0120777);
            zip.putArchiveEntry(link);
            zip.write("/etc/passwd".getBytes(StandardCharsets.UTF_8));
            zip.closeArchiveEntry();
            ZipEntries.add(zip, "bomb.py", new byte[8 << 20]);
            ZipEntries.add(zip, "big.py", PythonText.random(3000));
            ZipEntries.add(zip, "good.py", GOOD);
        }
        return p;
    }

    @Test
    void hostileTarGzIsRefusedEntryByEntryUntilTheBomb(@TempDir Path tmp) throws IOException {
        Collected c = new Collected();
        new ArchiveSource(hostileTarGz(tmp)).read(c);
        assertEquals(Map.of("pkg/good.py", "print('hello')\n"), c.contents());
        Map<String, RejectReason> reasons = c.reasons();
        assertEquals(RejectReason.UNSAFE_PATH, reasons.get("../evil.py"));
        assertEquals(RejectReason.UNSAFE_PATH, reasons.get("/etc/abs.py"));
        assertEquals(RejectReason.SYMLINK, reasons.get("pkg/link.py"));
        assertEquals(RejectReason.ARCHIVE_BOMB, reasons.get("pkg/bomb.bin"));
        assertEquals(4, c.rejections.size(), c.rejections.toString());
    }

    @Test
    void hostileZipLosesOnlyTheBadEntries(@TempDir Path tmp) throws IOException {
        Collected c = new Collected(2000);
        new ArchiveSource(hostileZip(tmp)).read(c);
        assertEquals(Map.of("good.py", "print('hello')\n"), c.contents());
        assertEquals(Map.of("../../evil.py", RejectReason.UNSAFE_PATH, "C:/windows/evil.py", RejectReason.UNSAFE_PATH,
                "link.py", RejectReason.SYMLINK, "bomb.py", RejectReason.ARCHIVE_BOMB, "big.py", RejectReason.TOO_LARGE), c.reasons());
    }

    @Test
    void totalCapStopsTheArchive(@TempDir Path tmp) throws IOException {
        Path p = tmp.resolve("many.zip");
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(p)) {
            for (int i = 0; i < 5; i++) ZipEntries.add(zip, "f" + i + ".py", PythonText.random(4000));
        }
        Collected c = new Collected();
        new ArchiveSource(p, new ArchiveLimits(10_000, 100, 1 << 20), null).read(c);
        assertEquals(2, c.files.size());
        assertEquals(1, c.rejections.size());
        assertEquals(RejectReason.ARCHIVE_BOMB, c.rejections.get(0).reason());
        assertTrue(c.rejections.get(0).detail().contains("in all"), c.rejections.get(0).detail());
    }

    @Test
    void plainTarAndCorruptArchive(@TempDir Path tmp) throws IOException {
        Path tarPath = tmp.resolve("plain.tar");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(tarPath))) {
            tarEntry(tar, "x/one.py", GOOD);
            tarEntry(tar, "x/two.py", GOOD);
        }
        Collected c = new Collected();
        new ArchiveSource(tarPath).read(c);
        assertEquals(2, c.files.size());

        // cut the gzip stream short: what was read is kept, the rest is reported, nothing is thrown
        byte[] whole = Files.readAllBytes(hostileTarGz(tmp));
        Path truncated = Files.write(tmp.resolve("truncated.tar.gz"), java.util.Arrays.copyOf(whole, 300));
        Collected t = new Collected();
        new ArchiveSource(truncated).read(t);
        Rejection last = t.rejections.get(t.rejections.size() - 1);
        assertEquals(RejectReason.UNREADABLE, last.reason(), t.rejections.toString());
        assertTrue(last.detail().contains("rest of archive skipped"));
    }
}
