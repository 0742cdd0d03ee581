package dev.streamparrot.packer;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.packer.stream.PackerSettings;
import dev.streamparrot.packer.stream.PackerStream;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import jakarta.annotation.PreDestroy;

import java.nio.file.Path;

/** Runs the packer stream inside the service, from startup to shutdown. */
@Context
@Requires(property = "streamparrot.packer.stream.enabled", notEquals = "false")
final class PackerStreamRunner implements AutoCloseable {
    private final PackerStream stream;

    PackerStreamRunner(KafkaSettings kafka, MeterRegistry meters,
                       @Value("${streamparrot.data-dir}") String dataDir,
                       @Value("${streamparrot.packer.application-id:packer}") String applicationId,
                       @Value("${streamparrot.packer.seq-length:1024}") int seqLength,
                       @Value("${streamparrot.packer.valid-share:0.01}") double validShare,
                       @Value("${streamparrot.packer.threads:1}") int threads) {
        PackerSettings settings = new PackerSettings(applicationId, Path.of(dataDir, "streams").toString(), seqLength, validShare, threads);
        this.stream = new PackerStream(kafka, settings, meters).start();
    }

    @PreDestroy
    @Override
    public void close() {
        stream.close();
    }
}
