package dev.streamparrot.ingest.service;

import dev.streamparrot.ingest.pipeline.AcceptedFile;
import dev.streamparrot.ingest.pipeline.Rejection;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.RejectedFile;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.topics.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The sink of the cleaning stage: cleaned files go to ingest-candidates (keyed by content hash, for the
 * dedup stage), rejections to rejected-files. Both are counted by reason.
 */
public final class CandidatePublisher implements AutoCloseable {
    private final Producer<byte[], byte[]> producer;
    private final AvroSerde<SourceFile> files;
    private final AvroSerde<RejectedFile> rejections;
    private final MeterRegistry metrics;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    public CandidatePublisher(KafkaSettings settings, SchemaRegistryClient registry, MeterRegistry metrics) {
        this.producer = new KafkaProducer<>(settings.producer("ingest-cleaning"));
        this.files = new AvroSerde<>(SourceFile.class, registry);
        this.rejections = new AvroSerde<>(RejectedFile.class, registry);
        this.metrics = metrics;
    }

    public void accepted(AcceptedFile accepted) {
        SourceFile file = Records.sourceFile(accepted);
        send(Topics.INGEST_CANDIDATES.name(), file.getContentHash(), files.serialize(Topics.INGEST_CANDIDATES.name(), file));
        metrics.counter("ingest.files.cleaned").increment();
        metrics.counter("ingest.bytes.cleaned").increment(file.getSize());
    }

    public void rejected(Rejection rejection, String commit) {
        RejectedFile record = Records.rejected(rejection, commit, 0);
        send(Topics.REJECTED_FILES.name(), rejection.source() + "/" + rejection.path(),
                rejections.serialize(Topics.REJECTED_FILES.name(), record));
        metrics.counter("ingest.files.rejected", "reason", rejection.reason().name()).increment();
    }

    /** Waits until everything sent so far is acknowledged; throws if anything failed. */
    public void flush() {
        producer.flush();
        Exception failed = failure.getAndSet(null);
        if (failed != null) throw new IllegalStateException("publishing to Kafka failed: " + failed.getMessage(), failed);
    }

    private void send(String topic, String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value), (meta, error) -> {
            if (error != null) failure.compareAndSet(null, error);
        });
    }

    @Override
    public void close() {
        producer.close();
    }
}
