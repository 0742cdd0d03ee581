package dev.streamparrot.packer.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import dev.streamparrot.schemas.Split;

/** What the packer counts, exported on /prometheus by the service. */
public final class PackerMetrics {
    final Counter files;
    final Counter trainChunks;
    final Counter validChunks;
    final Counter tokens;
    final Counter deadLetters;
    /** Time spent turning Avro bytes into records and back: the benchmark's "Avro" share. */
    final Timer serde;

    public PackerMetrics(MeterRegistry registry) {
        files = Counter.builder("packer.files").description("tokenized files packed").register(registry);
        trainChunks = Counter.builder("packer.chunks").tag("split", "train").description("chunks written").register(registry);
        validChunks = Counter.builder("packer.chunks").tag("split", "valid").description("chunks written").register(registry);
        tokens = Counter.builder("packer.tokens").description("token ids written in chunks").register(registry);
        deadLetters = Counter.builder("packer.dead.letters").description("poison records sent to dead-letters").register(registry);
        serde = Timer.builder("packer.serde").description("Avro encoding and decoding").register(registry);
    }

    Counter chunks(Split split) {
        return split == Split.VALID ? validChunks : trainChunks;
    }

    public double filesPacked() {
        return files.count();
    }

    public double chunksWritten() {
        return trainChunks.count() + validChunks.count();
    }

    public double deadLettersWritten() {
        return deadLetters.count();
    }

    public double serdeSeconds() {
        return serde.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS) / 1e9;
    }
}
