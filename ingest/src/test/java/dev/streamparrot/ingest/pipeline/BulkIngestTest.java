package dev.streamparrot.ingest.pipeline;

import dev.streamparrot.ingest.file.RejectReason;
import dev.streamparrot.ingest.file.Rejection;
import dev.streamparrot.ingest.PythonFiles;
import dev.streamparrot.ingest.filter.CleaningConfig;
import dev.streamparrot.ingest.source.ArchiveSource;
import dev.streamparrot.ingest.source.DirectorySource;
import dev.streamparrot.ingest.source.FileSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BulkIngestTest {

    /** Counts the calls, and checks they come in order: started, decided..., finished. */
    static final class Recorded implements IngestProgress {
        Supplier<IngestStats> stats;
        final AtomicInteger decided = new AtomicInteger();
        int finished;

        @Override public void started(Supplier<IngestStats> stats) {
            assertEquals(null, this.stats, "started once");
            this.stats = stats;
        }

        @Override public void decided() {
            assertNotNull(stats, "started before the first file");
            assertEquals(0, finished, "no file after finished");
            decided.incrementAndGet();
        }

        @Override public void finished() { finished++; }
    }

    @Test
    void sourcesShareOneDedupStateAndAnUnreadableSourceDoesNotStopTheRest(@TempDir Path tmp) throws Exception {
        Path a = Files.createDirectories(tmp.resolve("a"));
        Files.writeString(a.resolve("one.py"), PythonFiles.module(1, 30));
        Path b = Files.createDirectories(tmp.resolve("b"));
        Files.writeString(b.resolve("copy.py"), PythonFiles.module(1, 30));
        Files.writeString(b.resolve("two.py"), PythonFiles.module(2, 30));
        Path garbage = Files.writeString(tmp.resolve("garbage.zip"), "this is not a zip file");
        List<FileSource> sources = List.of(new DirectorySource(a), new ArchiveSource(garbage), new DirectorySource(b));

        List<String> accepted = new ArrayList<>();
        List<Rejection> rejected = new ArrayList<>();
        Recorded progress = new Recorded();
        IngestStats stats = BulkIngest.run(sources, CleaningConfig.defaults(), 1,
                file -> accepted.add(file.file().source() + "/" + file.file().path()), rejected::add, progress);

        assertEquals(List.of("a/one.py", "b/two.py"), accepted);
        assertEquals(2, rejected.size(), rejected.toString());
        assertEquals(RejectReason.UNREADABLE, rejected.get(0).reason());
        assertEquals("garbage.zip", rejected.get(0).source());
        // the copy in the third source is a duplicate of the file in the first
        assertEquals(RejectReason.EXACT_DUPLICATE, rejected.get(1).reason());
        assertEquals("copy.py", rejected.get(1).path());
        assertTrue(rejected.get(1).detail().contains("one.py"), rejected.get(1).detail());

        assertEquals(2, stats.accepted());
        assertEquals(1, stats.rejected(RejectReason.UNREADABLE));
        assertEquals(1, stats.rejected(RejectReason.EXACT_DUPLICATE));
        assertEquals(4, progress.decided.get(), "told about every file decided");
        assertEquals(1, progress.finished);
        assertEquals(stats, progress.stats.get(), "the progress reads the same counts");
    }

    @Test
    void nearDedupRunsOnlyWhereTheConfigEnablesIt(@TempDir Path tmp) throws Exception {
        List<String> names = PythonFiles.identifiers(7, 120);
        List<String> renamed = new ArrayList<>(names);
        renamed.set(119, "renamed_variable");
        Path dir = Files.createDirectories(tmp.resolve("near"));
        Files.writeString(dir.resolve("original.py"), PythonFiles.module(names));
        Files.writeString(dir.resolve("edited.py"), PythonFiles.module(renamed));
        List<FileSource> sources = List.of(new DirectorySource(dir));

        IngestStats on = BulkIngest.run(sources, CleaningConfig.defaults(), 1, f -> {}, r -> {}, IngestProgress.NONE);
        assertEquals(1, on.accepted(), on.summary());
        assertEquals(1, on.rejected(RejectReason.NEAR_DUPLICATE), on.summary());

        IngestStats off = BulkIngest.run(sources, CleaningConfig.defaults().withDisabled(RejectReason.NEAR_DUPLICATE), 1,
                f -> {}, r -> {}, IngestProgress.NONE);
        assertEquals(2, off.accepted(), off.summary());
        assertEquals(0, off.rejectedTotal(), off.summary());
    }
}
