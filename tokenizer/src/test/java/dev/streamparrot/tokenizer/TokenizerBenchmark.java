package dev.streamparrot.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training and encoding speed. HF's trainer cannot run here (no Python packages), so training is
 * compared with HF tokenizers' quoted times on the same corpora; encoding is compared with HF
 * tokenizers run through DJL in this same JVM, and with tiktoken's quoted 14 MB/s.
 */
@Tag("benchmark")
class TokenizerBenchmark {
    static final double HF_TRAIN_A_S = 3.1, HF_TRAIN_B_S = 40, TIKTOKEN_MB_S = 14;
    static final long CORPUS_B_BYTES = 200_000_000L;

    @Test
    void trainingOnTheStdlib() throws IOException {
        List<Path> files = TestData.stdlibTrainingFiles();
        TrainingRun.train(files.subList(0, 100), 2000); // warm up the JIT
        TrainingRun.Result r = TrainingRun.train(files, 32768);
        System.out.printf("%n[benchmark] corpus A: %d stdlib files, %.1f MB%n", files.size(), Corpus.totalBytes(files) / 1e6);
        System.out.printf("[benchmark] train 32768 on A: %.2f s (HF tokenizers, quoted: %.1f s -> %.2fx as fast), phases %s%n",
                r.seconds(), HF_TRAIN_A_S, HF_TRAIN_A_S / r.seconds(), r.phases());
        System.out.printf("[benchmark]   CPU: main thread %.2f s, process %.2f s -> on two idle cores about %.2f s (%.2fx HF's quoted time)%n",
                r.mainCpuSeconds(), r.processCpuSeconds(), r.idleTwoCoreSeconds(), HF_TRAIN_A_S / r.idleTwoCoreSeconds());
    }

    @Test
    void trainingOn200MbInOneGigabyteOfHeap(@TempDir Path dir) throws Exception {
        List<Path> files = corpusB();
        long bytes = Corpus.totalBytes(files);
        Path list = dir.resolve("corpus-b.txt");
        Files.write(list, files.stream().map(Path::toString).toList(), StandardCharsets.UTF_8);
        System.out.printf("%n[benchmark] corpus B: %,d .py files of this machine, %.1f MB (goal %d MB)%n", files.size(), bytes / 1e6, CORPUS_B_BYTES / 1_000_000);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"), TrainingRun.class.getName(), list.toString(), "32768")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(20, TimeUnit.MINUTES);
        System.out.print(out.lines().map(l -> "[benchmark]   " + l + "\n").reduce("", String::concat));
        assertEquals(0, p.exitValue(), "training on corpus B in -Xmx1g failed:\n" + out);
        double seconds = value(out, "SECONDS"), idle = value(out, "IDLE_TWO_CORE_ESTIMATE_S");
        System.out.printf("[benchmark] train 32768 on B with -Xmx1g: %.1f s (HF tokenizers, quoted: %.0f s -> %.2fx as fast); from CPU time, on two idle cores about %.1f s (%.2fx)%n",
                seconds, HF_TRAIN_B_S, HF_TRAIN_B_S / seconds, idle, HF_TRAIN_B_S / idle);
    }

    @Test
    void encodingSpeedAgainstHfThroughDjl(@TempDir Path dir) throws IOException {
        Tokenizer gpt2 = TestData.gpt2();
        Path json = dir.resolve("tokenizer.json");
        gpt2.save(json);
        List<String> files = new ArrayList<>(), chunks = new ArrayList<>();
        for (Path f : TestData.stdlibTrainingFiles()) files.add(Corpus.readText(f));
        // Also timed on ~1 KB chunks cut at line ends, the size of a line batch in a streaming service.
        for (String text : files) {
            for (int from = 0; from < text.length(); ) {
                int nl = text.indexOf('\n', Math.min(text.length(), from + 1000));
                int to = nl < 0 ? text.length() : nl + 1;
                chunks.add(text.substring(from, to));
                from = to;
            }
        }
        long bytes = files.stream().mapToLong(t -> t.getBytes(StandardCharsets.UTF_8).length).sum();
        double best = 0, bestCpu = 0;
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 3; round++) { // the first round warms up the JIT
            long t0 = System.nanoTime(), c0 = threads.getCurrentThreadCpuTime();
            for (String text : files) gpt2.encode(text);
            best = Math.max(best, bytes / 1e6 / ((System.nanoTime() - t0) / 1e9));
            bestCpu = Math.max(bestCpu, bytes / 1e6 / ((threads.getCurrentThreadCpuTime() - c0) / 1e9));
        }
        // On a shared machine the thread's CPU time tells the speed of one core; wall time, what we got of it.
        System.out.printf("%n[benchmark] encode all of corpus A (%.1f MB), one thread: ours %.1f MB/s wall, %.1f MB per CPU second (tiktoken quoted %.0f MB/s -> %.2fx, %.2fx)%n",
                bytes / 1e6, best, bestCpu, TIKTOKEN_MB_S, best / TIKTOKEN_MB_S, bestCpu / TIKTOKEN_MB_S);
        try (HuggingFaceTokenizer hf = HfParityTest.hf(json)) {
            speed("whole files", sample(files), gpt2, hf);
            speed("1 KB chunks", sample(chunks), gpt2, hf);
        }
    }

    /** About 2 MB spread over the corpus: HF through DJL runs at well under 1 MB/s here. */
    private static List<String> sample(List<String> texts) {
        long total = texts.stream().mapToLong(String::length).sum();
        int step = (int) Math.max(1, total / 2_000_000);
        List<String> picked = new ArrayList<>();
        for (int i = 0; i < texts.size(); i += step) picked.add(texts.get(i));
        return picked;
    }

    private static void speed(String what, List<String> texts, Tokenizer gpt2, HuggingFaceTokenizer hf) {
        long bytes = texts.stream().mapToLong(t -> t.getBytes(StandardCharsets.UTF_8).length).sum();
        long ours = 0, theirs = 0;
        double oursS = Double.MAX_VALUE, theirsS = Double.MAX_VALUE;
        for (int round = 0; round < 2; round++) { // best of 2, the first warms up
            long t0 = System.nanoTime();
            ours = 0;
            for (String text : texts) ours += gpt2.encode(text).length;
            long t1 = System.nanoTime();
            theirs = 0;
            for (String text : texts) theirs += hf.encode(text, false, false).getIds().length;
            long t2 = System.nanoTime();
            oursS = Math.min(oursS, (t1 - t0) / 1e9);
            theirsS = Math.min(theirsS, (t2 - t1) / 1e9);
        }
        assertEquals(theirs, ours, "same number of tokens");
        double oursMbS = bytes / 1e6 / oursS, theirsMbS = bytes / 1e6 / theirsS;
        System.out.printf("[benchmark] encode a sample of corpus A as %s (%.1f MB, %,d tokens), one thread: ours %.1f MB/s, HF via DJL %.1f MB/s -> %.2fx; tiktoken quoted %.0f MB/s -> %.2fx%n",
                what, bytes / 1e6, ours, oursMbS, theirsMbS, oursMbS / theirsMbS, TIKTOKEN_MB_S, oursMbS / TIKTOKEN_MB_S);
    }

    private static double value(String output, String key) {
        return Double.parseDouble(output.lines().filter(l -> l.startsWith(key + " ")).findFirst().orElseThrow().split(" ")[1]);
    }

    /** Every .py file of the machine, sorted by path, exact duplicates dropped, up to 200 MB. */
    static List<Path> corpusB() throws IOException {
        List<Path> all = new ArrayList<>();
        Files.walkFileTree(Path.of("/"), new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                String s = d.toString();
                return s.equals("/proc") || s.equals("/sys") || s.equals("/dev") ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && f.getFileName().toString().endsWith(".py")) all.add(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        all.sort(null);
        List<Path> picked = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        long total = 0;
        for (Path f : all) {
            if (total >= CORPUS_B_BYTES) break;
            try {
                byte[] content = Files.readAllBytes(f);
                if (!seen.add(java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)))) continue;
                picked.add(f);
                total += content.length;
            } catch (IOException | java.security.NoSuchAlgorithmException e) {
                // unreadable: not part of the corpus
            }
        }
        return picked;
    }
}
