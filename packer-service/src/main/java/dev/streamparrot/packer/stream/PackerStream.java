package dev.streamparrot.packer.stream;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kit.StreamApp;
import dev.streamparrot.kit.StreamArgs;
import dev.streamparrot.kit.StreamStage;
import dev.streamparrot.packer.core.Packer;
import dev.streamparrot.packer.core.RepoSplit;
import dev.streamparrot.topics.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** One packer instance: the topology as a kit {@link StreamApp} (exactly-once, dead letters, outage pause). */
public final class PackerStream extends StreamStage<PackerMetrics> {

    public PackerStream(KafkaSettings kafka, PackerSettings packing, MeterRegistry meters) {
        this(kafka, packing, meters, Map.of());
    }

    /** @param streamsOverrides Kafka Streams settings that replace the shared ones (tests, benchmarks) */
    public PackerStream(KafkaSettings kafka, PackerSettings packing, MeterRegistry meters, Map<String, String> streamsOverrides) {
        this(kafka, packing, new PackerMetrics(meters), new TokenizerReleases(kafka), streamsOverrides);
    }

    /** @param releases followed here, outside the stream threads, which only look releases up */
    private PackerStream(KafkaSettings kafka, PackerSettings packing, PackerMetrics metrics, TokenizerReleases releases,
                         Map<String, String> streamsOverrides) {
        super(new StreamApp(kafka, new StreamApp.Stage("packer (seq_length " + packing.seqLength() + ", valid share " + packing.validShare() + ")",
                        packing.applicationId(), packing.stateDir(), packing.threads(), List.of(Topics.CHUNKS_TRAIN, Topics.CHUNKS_VALID),
                        streamsOverrides),
                        registry -> PackerTopology.build(packing, registry, releases, metrics)),
                metrics, releases);
    }

    public PackerStream start() {
        app().start();
        return this;
    }

    /**
     * Runs a packer without the HTTP shell ({@link StreamArgs}); its own keys are {@code seq.length},
     * {@code valid.share}, {@code threads} and {@code application.id}.
     */
    public static void main(String[] args) throws InterruptedException {
        StreamArgs cli = StreamArgs.parse(args);
        PackerSettings packing = new PackerSettings(cli.option("application.id", PackerSettings.DEFAULT_APPLICATION_ID), cli.stateDir(),
                Integer.parseInt(cli.option("seq.length", String.valueOf(Packer.DEFAULT_SEQ_LENGTH))),
                Double.parseDouble(cli.option("valid.share", String.valueOf(RepoSplit.DEFAULT_VALID_SHARE))),
                Integer.parseInt(cli.option("threads", "1")));
        PackerStream stream = new PackerStream(cli.kafka(), packing, new SimpleMeterRegistry(),
                cli.streamsSettings(Set.of("application.id", "seq.length", "valid.share", "threads")));
        StreamApp.runUntilShutdown(stream.start());
    }
}
