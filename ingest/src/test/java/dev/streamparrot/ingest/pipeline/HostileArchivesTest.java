package dev.streamparrot.ingest.pipeline;

import dev.streamparrot.ingest.ZipEntries;
import dev.streamparrot.ingest.file.RejectReason;
import dev.streamparrot.ingest.file.Rejection;
import dev.streamparrot.ingest.PythonFiles;
import dev.streamparrot.ingest.filter.CleaningConfig;
import dev.streamparrot.ingest.dedup.ExactDeduper;
import dev.streamparrot.ingest.dedup.LshIndex;
import dev.streamparrot.ingest.source.ArchiveSource;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Hostile archives are refused with a reason and ingest carries on with the next entry and the next archive. */
class HostileArchivesTest {

    @Test
    void refusesAndCarriesOn(@TempDir Path tmp) throws IOException {
        byte[] good1 = PythonFiles.module(101, 30).getBytes(StandardCharsets.UTF_8);
        byte[] good2 = PythonFiles.module(102, 30).getBytes(StandardCharsets.UTF_8);
        byte[] good3 = PythonFiles.module(103, 30).getBytes(StandardCharsets.UTF_8);

        Path zipPath = tmp.resolve("a.zip");
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(zipPath)) {
            ZipEntries.add(zip, "../escape.py", good1);
            ZipEntries.add(zip, "bomb.py", new byte[4 << 20]);
            ZipEntries.add(zip, "ok/one.py", good1);
        }
        Path tarPath = tmp.resolve("b.tar.gz");
        try (OutputStream out = new GzipCompressorOutputStream(Files.newOutputStream(tarPath));
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            TarArchiveEntry e = new TarArchiveEntry("ok/two.py");
            e.setSize(good2.length);
            tar.putArchiveEntry(e);
            tar.write(good2);
            tar.closeArchiveEntry();
            TarArchiveEntry bomb = new TarArchiveEntry("zeros.dat");
            bomb.setSize(8 << 20);
            tar.putArchiveEntry(bomb);
            tar.write(new byte[8 << 20]);
            tar.closeArchiveEntry();
        }
        Path zip2 = tmp.resolve("c.zip");
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(zip2)) {
            ZipEntries.add(zip, "ok/three.py", good3);
            ZipEntries.add(zip, "ok/one-again.py", good1);
        }

        List<String> accepted = new ArrayList<>();
        List<Rejection> rejected = new ArrayList<>();
        IngestPipeline pipeline = new IngestPipeline(CleaningConfig.defaults(), ExactDeduper.inMemory(), LshIndex.inMemory(),
                f -> accepted.add(f.file().source() + ":" + f.file().path()), rejected::add);
        for (Path archive : List.of(zipPath, tarPath, zip2)) pipeline.run(new ArchiveSource(archive));

        assertEquals(List.of("a.zip:ok/one.py", "b.tar.gz:ok/two.py", "c.zip:ok/three.py"), accepted);
        assertEquals(List.of("a.zip:../escape.py UNSAFE_PATH", "a.zip:bomb.py ARCHIVE_BOMB", "b.tar.gz:zeros.dat ARCHIVE_BOMB",
                        "c.zip:ok/one-again.py EXACT_DUPLICATE"),
                rejected.stream().map(r -> r.source() + ":" + r.path() + " " + r.reason()).toList());
        IngestStats stats = pipeline.stats();
        assertEquals(3, stats.accepted());
        assertEquals(1, stats.rejected(RejectReason.UNSAFE_PATH));
        assertEquals(2, stats.rejected(RejectReason.ARCHIVE_BOMB));
    }
}
