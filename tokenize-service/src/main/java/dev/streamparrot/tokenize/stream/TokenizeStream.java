package dev.streamparrot.tokenize.stream;

import dev.streamparrot.artifacts.ArtifactStore;
import dev.streamparrot.artifacts.ArtifactStores;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kit.StreamApp;
import dev.streamparrot.kit.StreamArgs;
import dev.streamparrot.kit.StreamStage;
import dev.streamparrot.topics.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One tokenize instance: the topology as a kit {@link StreamApp} (exactly-once, dead letters, outage pause).
 * Encoding uses all cores through stream threads (one task per source-files partition; each thread is its own
 * transactional producer), so exactly-once needs nothing more. It starts once a release has been activated:
 * before that there is nothing to encode with.
 */
public final class TokenizeStream extends StreamStage<TokenizeMetrics> {
    public static final String DEFAULT_APPLICATION_ID = "tokenize";
    private static final Logger LOG = LoggerFactory.getLogger(TokenizeStream.class);

    private final ReleaseCatalog catalog;
    private final Thread starter;

    /**
     * @param threads stream threads; more than the source-files partitions leaves some idle
     */
    public TokenizeStream(KafkaSettings kafka, String applicationId, String stateDir, int threads, MeterRegistry meters) {
        this(kafka, applicationId, stateDir, threads, meters, Map.of());
    }

    /** @param streamsOverrides Kafka Streams settings that replace the shared ones (tests, benchmarks) */
    public TokenizeStream(KafkaSettings kafka, String applicationId, String stateDir, int threads, MeterRegistry meters,
                          Map<String, String> streamsOverrides) {
        this(kafka, applicationId, stateDir, threads, meters, streamsOverrides, ArtifactStores.localReader());
    }

    /** @param store where released tokenizers are read from (their locations name it) */
    public TokenizeStream(KafkaSettings kafka, String applicationId, String stateDir, int threads, MeterRegistry meters,
                          Map<String, String> streamsOverrides, ArtifactStore store) {
        this(kafka, applicationId, stateDir, threads, new TokenizeMetrics(meters), new ReleaseCatalog(kafka), streamsOverrides, store);
    }

    private TokenizeStream(KafkaSettings kafka, String applicationId, String stateDir, int threads, TokenizeMetrics metrics,
                           ReleaseCatalog catalog, Map<String, String> streamsOverrides, ArtifactStore store) {
        super(new StreamApp(kafka, new StreamApp.Stage("tokenize", applicationId, stateDir, threads, List.of(Topics.TOKEN_IDS), streamsOverrides),
                        registry -> TokenizeTopology.build(applicationId, registry, catalog, new TokenizerCache(store), metrics)),
                metrics, catalog);
        this.catalog = catalog;
        this.starter = new Thread(this::startWhenActivated, "tokenize-starter");
        starter.setDaemon(true);
    }

    public TokenizeStream start() {
        starter.start();
        return this;
    }

    private void startWhenActivated() {
        try {
            if (catalog.activations().isEmpty()) LOG.info("waiting for a tokenizer activation before encoding");
            catalog.awaitFirstActivation();
            app().start();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IllegalStateException e) {
            LOG.debug("not started: closed while waiting", e);
        }
    }

    @Override
    public void close() {
        starter.interrupt();
        super.close();
    }

    public static int defaultThreads() {
        return Math.min(Topics.SOURCE_FILES.partitions(), Runtime.getRuntime().availableProcessors());
    }

    /**
     * Runs the stream without the HTTP shell ({@link StreamArgs}); its own keys are {@code threads} and
     * {@code application.id}.
     */
    public static void main(String[] args) throws InterruptedException {
        StreamArgs cli = StreamArgs.parse(args);
        TokenizeStream stream = new TokenizeStream(cli.kafka(), cli.option("application.id", DEFAULT_APPLICATION_ID), cli.stateDir(),
                Integer.parseInt(cli.option("threads", String.valueOf(defaultThreads()))), new SimpleMeterRegistry(),
                cli.streamsSettings(Set.of("application.id", "threads")));
        StreamApp.runUntilShutdown(stream.start());
    }
}
