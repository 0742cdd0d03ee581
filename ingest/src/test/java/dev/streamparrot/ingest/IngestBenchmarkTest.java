package dev.streamparrot.ingest;

import dev.streamparrot.ingest.dedup.LshIndex;
import dev.streamparrot.ingest.dedup.MinHash;
import dev.streamparrot.ingest.file.CandidateFile;
import dev.streamparrot.ingest.file.ContentHash;
import dev.streamparrot.ingest.pipeline.IngestPipeline;
import dev.streamparrot.ingest.pipeline.IngestStats;
import dev.streamparrot.ingest.file.Rejection;
import dev.streamparrot.ingest.source.DirectorySource;
import dev.streamparrot.ingest.source.SourceListener;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Directory ingest of the Python stdlib, and the near-dedup stage alone. Anchors, measured in the same run:
 * just reading the files (DirectorySource with no pipeline) for ingest, and MD5 exact hashing for near dedup.
 */
@Tag("benchmark")
class IngestBenchmarkTest {
    /**
     * Single-threaded stages are timed in this thread's CPU time: the build machine is shared, and wall
     * time there measures the neighbours. The 2-thread run can only be timed on the wall clock.
     */
    static long now() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    static List<String> readStdlib(Path stdlib) throws Exception {
        List<String> texts = new ArrayList<>();
        new DirectorySource(stdlib, "stdlib", null, Stdlib.EXCLUDED_DIRS).read(new SourceListener() {
            @Override public boolean wants(String path) { return path.endsWith(".py"); }
            @Override public int maxBytes() { return 1_048_575; }
            @Override public void onFile(CandidateFile f) { texts.add(new String(f.bytes(), StandardCharsets.UTF_8)); }
            @Override public void onRejected(Rejection r) {}
        });
        return texts;
    }

    @Test
    void directoryIngestOfTheStdlib() throws Exception {
        Path stdlib = Stdlib.path();
        readStdlib(stdlib); // warm the page cache and the JIT
        IngestPipeline.inMemory(f -> {}).run(new DirectorySource(stdlib, "stdlib", null, Stdlib.EXCLUDED_DIRS));

        long t0 = now();
        List<String> texts = readStdlib(stdlib);
        double readSeconds = (now() - t0) / 1e9;
        long bytes = texts.stream().mapToLong(s -> s.getBytes(StandardCharsets.UTF_8).length).sum();

        long t1 = now();
        IngestStats stats = IngestPipeline.inMemory(f -> {}).run(new DirectorySource(stdlib, "stdlib", null, Stdlib.EXCLUDED_DIRS));
        double seconds = (now() - t1) / 1e9;

        System.out.printf("directory ingest (CPU time): %d files, %.1f MB in %.2f s = %.0f files/s, %.1f MB/s (accepted %d)%n",
                stats.files(), stats.bytes() / 1e6, seconds, stats.files() / seconds, stats.bytes() / 1e6 / seconds, stats.accepted());
        System.out.printf("anchor, reading only: %.0f files/s, %.1f MB/s; ingest/anchor = %.2f%n",
                texts.size() / readSeconds, bytes / 1e6 / readSeconds, readSeconds / seconds);
        long t2 = System.nanoTime();
        IngestStats parallel = IngestPipeline.inMemory(f -> {}).run(new DirectorySource(stdlib, "stdlib", null, Stdlib.EXCLUDED_DIRS), 2);
        double parallelSeconds = (System.nanoTime() - t2) / 1e9;
        System.out.printf("directory ingest, 2 deciding threads: %.0f files/s, %.1f MB/s; wall-clock only (load average %.1f)%n",
                parallel.files() / parallelSeconds, parallel.bytes() / 1e6 / parallelSeconds,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        assertTrue(stats.accepted() > 0);
    }

    @Test
    void nearDedupStage() throws Exception {
        List<String> texts = readStdlib(Stdlib.path());
        for (int warm = 0; warm < 2; warm++) {
            LshIndex index = LshIndex.inMemory();
            for (int i = 0; i < texts.size(); i++) index.findOrAdd("w" + i, texts.get(i));
        }
        long t0 = now();
        LshIndex index = LshIndex.inMemory();
        int near = 0;
        for (int i = 0; i < texts.size(); i++) if (index.findOrAdd("f" + i, texts.get(i)) != null) near++;
        double seconds = (now() - t0) / 1e9;

        long t1 = now();
        int tokens = 0;
        for (String t : texts) tokens += MinHash.tokens(t).size();
        double tokenSeconds = (now() - t1) / 1e9;

        long t2 = now();
        for (String t : texts) ContentHash.of(t);
        double hashSeconds = (now() - t2) / 1e9;

        System.out.printf("near dedup (CPU time; MinHash 256 + LSH 32x8 + exact Jaccard): %d files in %.2f s = %.0f files/s, %d near duplicates%n",
                texts.size(), seconds, texts.size() / seconds, near);
        System.out.printf("  of which tokenising: %.0f files/s (%d unique tokens per file on average)%n",
                texts.size() / tokenSeconds, tokens / texts.size());
        System.out.printf("anchor, exact hash: %.0f files/s; near/anchor = %.2f%n",
                texts.size() / hashSeconds, hashSeconds / seconds);
        assertTrue(near > 0);
    }
}
