package dev.streamparrot.tokenize.train;

import dev.streamparrot.artifacts.ArtifactStore;
import dev.streamparrot.artifacts.StoreSettings;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.tokenizer.BpeTrainer;
import dev.streamparrot.tokenizer.ProgressBar;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code train-tokenizer}: reads a sample of source-files, trains, prints the report, stores
 * tokenizer.json under its content hash in the artifact store and publishes the release on tokenizer-releases. It does not
 * make the release current: that is {@code activate-tokenizer}'s explicit step.
 */
@Command(name = "train-tokenizer", mixinStandardHelpOptions = true,
        description = "Train a byte-level BPE tokenizer on a sample of the source-files topic and publish the release.")
public final class TrainTokenizerCommand implements Callable<Integer> {
    @Option(names = "--bootstrap-servers", defaultValue = KafkaSettings.LOCAL_BOOTSTRAP) String bootstrapServers;
    @Option(names = "--schema-registry", defaultValue = KafkaSettings.LOCAL_REGISTRY) String schemaRegistry;
    @Option(names = "--files", defaultValue = "20000", description = "at most this many files in the sample (default: ${DEFAULT-VALUE})")
    long maxFiles;
    @Option(names = "--megabytes", defaultValue = "200", description = "at most this many MB of content (default: ${DEFAULT-VALUE})")
    long maxMegabytes;
    @Option(names = "--vocab-size", defaultValue = "32768") int vocabSize;
    @Option(names = "--min-frequency", defaultValue = "0") long minFrequency;
    @Option(names = "--store", description = "the artifact store of releases: a directory, file:/dir or s3://bucket/prefix"
            + " (default: -Dstreamparrot.store.uri or STREAMPARROT_STORE_URI, else .local/tokenize/store);"
            + " S3 settings from -Dstreamparrot.store.s3.* or STREAMPARROT_STORE_S3_*")
    String store;
    @Option(names = "--no-progress") boolean noProgress;

    @Override
    public Integer call() throws Exception {
        train();
        return 0;
    }

    /** Trains, stores and publishes the release (see the class comment); the first-tokenizer job activates it too. */
    public TokenizerRelease train() throws Exception {
        KafkaSettings settings = new KafkaSettings(bootstrapServers, schemaRegistry);
        SchemaRegistryClient registry = new SchemaRegistryClient(schemaRegistry);
        List<String> sample = SourceSample.read(settings, registry, maxFiles, maxMegabytes * 1_000_000);
        System.err.printf("sampled %,d files from %s%n", sample.size(), Topics.SOURCE_FILES.name());
        BpeTrainer.Config config = new BpeTrainer.Config(vocabSize, minFrequency,
                BpeTrainer.Config.byteLevel(vocabSize).specialTokens(), BpeTrainer.Config.byteLevel(vocabSize).initialAlphabet());
        BpeTrainer.Progress progress = noProgress ? BpeTrainer.Progress.NONE : new ProgressBar(System.err);
        StoreSettings storeSettings = StoreSettings.fromSystem(Path.of(".local/tokenize"));
        if (store != null) storeSettings = new StoreSettings(store, storeSettings.s3());
        TrainTokenizerJob.Result result;
        try (ArtifactStore artifacts = storeSettings.open()) {
            result = TrainTokenizerJob.run(sample, config, progress, new TokenizerStore(artifacts));
        }
        TokenizerRelease release = result.release();
        try (var producer = new KafkaProducer<byte[], byte[]>(settings.producer("train-tokenizer"))) {
            AvroSerde<TokenizerRelease> serde = new AvroSerde<>(TokenizerRelease.class, registry);
            producer.send(new ProducerRecord<>(Topics.TOKENIZER_RELEASES.name(), release.getId().getBytes(StandardCharsets.UTF_8),
                    serde.serialize(Topics.TOKENIZER_RELEASES.name(), release))).get();
        }
        System.out.println(result.report().toText());
        System.out.printf("released tokenizer %s (%,d tokens) at %s%n", release.getId(), release.getVocabSize(), release.getLocation());
        return release;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new TrainTokenizerCommand()).execute(args));
    }
}
