package dev.streamparrot.ingest;

import dev.streamparrot.ingest.filter.CleaningConfig;
import dev.streamparrot.ingest.pipeline.AcceptedFile;
import dev.streamparrot.ingest.pipeline.BulkIngest;
import dev.streamparrot.ingest.pipeline.IngestProgress;
import dev.streamparrot.ingest.pipeline.IngestStats;
import dev.streamparrot.ingest.pipeline.JsonLinesSink;
import dev.streamparrot.ingest.file.RejectReason;
import dev.streamparrot.ingest.file.Rejection;
import dev.streamparrot.ingest.source.ArchiveLimits;
import dev.streamparrot.ingest.source.ArchiveSource;
import dev.streamparrot.ingest.source.DirectorySource;
import dev.streamparrot.ingest.source.FileSource;
import dev.streamparrot.ingest.source.JsonLinesSource;
import dev.streamparrot.ingest.service.CandidatePublisher;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.registry.SchemaRegistryClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs the ingest pipeline over local inputs and prints a summary by reject reason:
 * {@code ingest-dir}, {@code ingest-archive}, {@code ingest-jsonl}. The ingest library does the work
 * ({@link BulkIngest}); this class is options and sinks: accepted files go nowhere by default, to a JSON Lines
 * file with --output, or to the cluster with --bootstrap-servers.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true, description = "Select, clean and deduplicate Python files.",
        subcommands = {IngestCli.IngestDir.class, IngestCli.IngestArchive.class, IngestCli.IngestJsonl.class})
public final class IngestCli implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new IngestCli()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.err);
    }

    /** The library reports progress through its listener; this draws it as the progress line on {@code err}. */
    static IngestProgress progressBar(PrintStream err) {
        return new IngestProgress() {
            private ProgressBar bar;

            @Override public void started(Supplier<IngestStats> stats) { bar = new ProgressBar(err, stats); }

            @Override public void decided() { bar.tick(); }

            @Override public void finished() { bar.finish(); }
        };
    }

    /** Options every subcommand shares. */
    static final class Options {
        @Option(names = "--extensions", split = ",", defaultValue = ".py", description = "Extensions to ingest (default: ${DEFAULT-VALUE}).")
        List<String> extensions;

        @Option(names = "--min-bytes", defaultValue = "1024") int minBytes;

        @Option(names = "--max-bytes", defaultValue = "1048575") int maxBytes;

        @Option(names = "--allow-license", split = ",", description = "SPDX ids to keep; none given keeps every license.")
        Set<String> allowedLicenses = Set.of();

        @Option(names = "--disable", split = ",", description = "Checks to switch off, by reason, e.g. CONFIG_OR_TEST,NEAR_DUPLICATE.")
        Set<RejectReason> disabled = Set.of();

        @Option(names = "--output", description = "Write accepted files as JSON Lines (.gz to compress).")
        Path output;

        @Option(names = "--bootstrap-servers", description = "Publish to this Kafka cluster instead: the cluster's dedup stage "
                + "then judges duplicates against everything ingested before (e.g. 127.0.0.1:19092).")
        String bootstrapServers;

        @Option(names = "--schema-registry", defaultValue = "http://127.0.0.1:18081/apis/ccompat/v7",
                description = "With --bootstrap-servers: the Confluent-compatible registry (default: ${DEFAULT-VALUE}).")
        String schemaRegistry;

        @Option(names = "--log-rejections", description = "Print every rejection to stderr.")
        boolean logRejections;

        @Option(names = "--no-progress", description = "No progress line on stderr.")
        boolean noProgress;

        @Option(names = "--threads", defaultValue = "1", description = "Threads deciding files (default: ${DEFAULT-VALUE}).")
        int threads;

        CleaningConfig config() {
            return CleaningConfig.defaults().withExtensions(extensions).withSizeRange(minBytes, maxBytes)
                    .withAllowedLicenses(allowedLicenses).withDisabled(disabled.toArray(RejectReason[]::new));
        }

        IngestProgress progress() {
            return noProgress ? IngestProgress.NONE : progressBar(System.err);
        }

        int run(List<FileSource> sources) throws IOException {
            if (bootstrapServers != null) return publish(sources);
            Consumer<AcceptedFile> sink = file -> {};
            Closeable close = () -> {};
            if (output != null) {
                JsonLinesSink jsonl = new JsonLinesSink(output);
                sink = jsonl;
                close = jsonl;
            }
            try (Closeable c = close) {
                Consumer<Rejection> rejections = logRejections ? r -> System.err.println("\nrejected " + r) : r -> {};
                IngestStats stats = BulkIngest.run(sources, config(), threads, sink, rejections, progress());
                System.out.print(stats.summary());
            }
            return 0;
        }

        private int publish(List<FileSource> sources) {
            KafkaSettings settings = new KafkaSettings(bootstrapServers, schemaRegistry);
            try (var publisher = new CandidatePublisher(settings, new SchemaRegistryClient(schemaRegistry), new SimpleMeterRegistry())) {
                IngestStats stats = publisher.publish(sources, config(), threads, progress());
                System.out.print(stats.summary());
                System.out.println("published to " + bootstrapServers + "; duplicates are decided by the cluster's dedup stage");
            }
            return 0;
        }
    }

    @Command(name = "ingest-dir", description = "Ingest every file under directories (.git skipped, no symlink escapes).")
    static final class IngestDir implements Callable<Integer> {
        @Mixin Options options;

        @Option(names = "--license", description = "SPDX id the files are under, when known.") String license;

        @Option(names = "--exclude-dir", split = ",", defaultValue = ".git", description = "Directory names not to enter (default: ${DEFAULT-VALUE}).")
        Set<String> excludedDirs;

        @Option(names = "--repo-per-subdir", description = "Name each top-level subdirectory as a repository of its own "
                + "(a monorepo such as the standard library then splits into train and valid by package).")
        boolean repoPerSubdir;

        @Parameters(arity = "1..*") List<Path> dirs;

        @Override public Integer call() throws IOException {
            List<FileSource> sources = new ArrayList<>();
            for (Path d : dirs) {
                String name = String.valueOf(d.toAbsolutePath().normalize().getFileName());
                if (repoPerSubdir) {
                    sources.addAll(DirectorySource.perSubdirectory(d, name, license, excludedDirs));
                } else {
                    sources.add(new DirectorySource(d, name, license, excludedDirs));
                }
            }
            return options.run(sources);
        }
    }

    @Command(name = "ingest-archive", description = "Ingest .tar, .tar.gz/.tgz and .zip archives without extracting them.")
    static final class IngestArchive implements Callable<Integer> {
        @Mixin Options options;

        @Option(names = "--license", description = "SPDX id the files are under, when known.") String license;

        @Option(names = "--max-total-bytes", defaultValue = "8589934592", description = "Uncompressed bytes one archive may produce.")
        long maxTotalBytes;

        @Option(names = "--max-ratio", defaultValue = "100", description = "Compression ratio beyond which an archive is a bomb.")
        double maxRatio;

        @Parameters(arity = "1..*") List<Path> archives;

        @Override public Integer call() throws IOException {
            ArchiveLimits limits = new ArchiveLimits(maxTotalBytes, maxRatio, ArchiveLimits.defaults().ratioGraceBytes());
            List<FileSource> sources = new ArrayList<>();
            for (Path a : archives) sources.add(new ArchiveSource(a, limits, license));
            return options.run(sources);
        }
    }

    @Command(name = "ingest-jsonl", description = "Ingest CodeParrot-style JSON Lines (.jsonl, .jsonl.gz, .json.gz).")
    static final class IngestJsonl implements Callable<Integer> {
        @Mixin Options options;

        @Parameters(arity = "1..*") List<Path> files;

        @Override public Integer call() throws IOException {
            List<FileSource> sources = new ArrayList<>();
            for (Path f : files) sources.add(new JsonLinesSource(f));
            return options.run(sources);
        }
    }
}
