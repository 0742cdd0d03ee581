package dev.streamparrot.pipeline;

import dev.streamparrot.corpus.TestCorpus;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.packer.stream.PackerSettings;
import dev.streamparrot.packer.stream.PackerStream;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.testkit.PythonStdlib;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.tokenize.stream.TokenizeStream;
import dev.streamparrot.tokenize.stream.TokenizerActivator;
import dev.streamparrot.tokenizer.Tokenizer;
import dev.streamparrot.topics.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * End to end, source-files → token-ids → chunks, on this machine: files/s, MB/s, and where the time
 * goes (the tokenizer, Avro, and the rest: Kafka, transactions, state stores). The corpus is the Python
 * standard library of this machine, the tokenizer a small one trained on part of it. Anchor: the same
 * files encoded by the tokenizer alone on one thread, measured in the same run.
 */
@Tag("benchmark")
@ExtendWith(RealCluster.class)
class PipelineBenchmark {
    static final int SEQ = 1024;

    @Test
    void sourceFilesToChunks(@TempDir Path dir) throws Exception {
        KafkaSettings settings = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        TopicAdmin.ensure(settings.bootstrapServers(), Topics.ALL, (short) 1);
        List<SourceFile> files = stdlib();
        long bytes = files.stream().mapToLong(f -> f.getContent().toString().getBytes(StandardCharsets.UTF_8).length).sum();
        Tokenizer tokenizer = TestCorpus.train(files.subList(0, Math.min(300, files.size())), 2000);
        TestCorpus.publish(settings, tokenizer, dir);

        // anchor: the tokenizer alone, one thread
        long a0 = System.nanoTime();
        long tokens = 0;
        for (SourceFile f : files) tokens += tokenizer.encode(f.getContent().toString()).length;
        double anchorSeconds = (System.nanoTime() - a0) / 1e9;

        int threads = TokenizeStream.defaultThreads();
        try (TokenizeStream tokenize = new TokenizeStream(settings, "tokenize-bench", dir.resolve("t").toString(), threads, new SimpleMeterRegistry());
             PackerStream packer = new PackerStream(settings, new PackerSettings("packer-bench", dir.resolve("p").toString(), SEQ, 0.01, threads),
                     new SimpleMeterRegistry())) {
            tokenize.start();
            packer.start();
            new TokenizerActivator(settings).activate(tokenizer.id(), "benchmark");
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while ((tokenize.state() != KafkaStreams.State.RUNNING || packer.state() != KafkaStreams.State.RUNNING) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            long t0 = System.nanoTime();
            TestCorpus.produce(settings, files);
            double produced = (System.nanoTime() - t0) / 1e9;
            double tokenized = Double.NaN;
            while (packer.metrics().filesPacked() < files.size() && System.nanoTime() < deadline + Duration.ofSeconds(600).toNanos()) {
                if (Double.isNaN(tokenized) && tokenize.metrics().filesEncoded() >= files.size()) tokenized = (System.nanoTime() - t0) / 1e9;
                Thread.sleep(20);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(files.size(), (int) packer.metrics().filesPacked());

            double encode = tokenize.metrics().encodeSeconds();
            double avro = tokenize.metrics().serdeSeconds() + packer.metrics().serdeSeconds();
            double busy = seconds * (threads + threads); // stream threads of both stages
            System.out.printf("%nPIPELINE BENCHMARK (%d cores, %d stream threads per stage, seq_length %d, vocab %d)%n",
                    Runtime.getRuntime().availableProcessors(), threads, SEQ, tokenizer.vocabSize());
            System.out.printf("  corpus: %d files, %.1f MB, %d tokens%n", files.size(), bytes / 1e6, tokens);
            System.out.printf("  end to end: %.1f s, %.0f files/s, %.2f MB/s, %.0f chunks%n",
                    seconds, files.size() / seconds, bytes / 1e6 / seconds, packer.metrics().chunksWritten());
            System.out.printf("  source-files written after %.1f s, all files encoded after %.1f s, all packed after %.1f s%n",
                    produced, tokenized, seconds);
            System.out.printf("  anchor (tokenizer alone, 1 thread): %.2f MB/s; end to end / anchor = %.2f%n",
                    bytes / 1e6 / anchorSeconds, anchorSeconds / seconds);
            double wait = tokenize.metrics().catalogWaitSeconds();
            System.out.printf("  time of the stream threads: encoding %.0f%%, Avro %.0f%%, waiting for activations %.0f%%, Kafka and idle %.0f%%%n",
                    100 * encode / busy, 100 * avro / busy, 100 * wait / busy, 100 * (busy - encode - avro - wait) / busy);
        }
    }

    /** Python files of this machine's standard library (a few thousand, real code). */
    private static List<SourceFile> stdlib() throws IOException {
        Path root = PythonStdlib.path();
        List<SourceFile> files = new ArrayList<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.filter(p -> p.toString().endsWith(".py")).sorted().toList()) {
                String content;
                try {
                    content = Files.readString(p, StandardCharsets.UTF_8);
                } catch (java.nio.charset.MalformedInputException notUtf8) {
                    continue;
                }
                if (content.isEmpty() || content.length() > 500_000) continue;
                if (files.size() == 3000) break;
                String repo = "stdlib/" + root.relativize(p).getName(0);
                files.add(new SourceFile(repo, null, root.relativize(p).toString(), "PSF-2.0", (long) content.length(), "", content, 1));
            }
        }
        return files;
    }
}
