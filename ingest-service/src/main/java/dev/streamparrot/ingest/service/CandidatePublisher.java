package dev.streamparrot.ingest.service;

import dev.streamparrot.ingest.filter.CleaningConfig;
import dev.streamparrot.ingest.pipeline.AcceptedFile;
import dev.streamparrot.ingest.pipeline.BulkIngest;
import dev.streamparrot.ingest.pipeline.IngestProgress;
import dev.streamparrot.ingest.pipeline.IngestStats;
import dev.streamparrot.ingest.file.RejectReason;
import dev.streamparrot.ingest.file.Rejection;
import dev.streamparrot.ingest.source.FileSource;
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
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The sink of the cleaning stage: cleaned files go to ingest-candidates (keyed by content hash, for the
 * dedup stage), as do deletions (null value, keyed by the content hash the file had, so they reach the
 * partition that holds that hash); rejections go to rejected-files. All are counted.
 */
public final class CandidatePublisher implements AutoCloseable {
    /** The header of a deletion on ingest-candidates that names the deleted file's content hash. */
    static final String CONTENT_HASH_HEADER = "content-hash";
    /** The header of a deletion on ingest-candidates that names the deleted file's repo/path. */
    static final String FILE_KEY_HEADER = "file-key";

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

    /**
     * Directories, archives and JSON Lines into the cluster: the cleaning stage runs here, and the cluster's
     * dedup stage decides duplicates against everything ingested before, so a rerun publishes nothing new to
     * source-files. Returns once the broker acknowledged everything.
     */
    public IngestStats publish(List<FileSource> sources, CleaningConfig cleaning, int threads, IngestProgress progress) {
        IngestStats stats = BulkIngest.run(sources, cleaning.withDisabled(RejectReason.EXACT_DUPLICATE, RejectReason.NEAR_DUPLICATE),
                threads, this::accepted, rejection -> rejected(rejection, null), progress);
        flush();
        return stats;
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

    /**
     * Takes back a file that a later commit deleted: a record with a null value, keyed by its content hash
     * (by its repo/path when that is unknown) with its repo/path in a header, which the dedup stage forwards
     * to source-files as a tombstone keyed by repo/path.
     *
     * @param contentHash the content hash the file had when it was ingested, or null when unknown; the dedup
     *                    stage forgets it, so the same content restored later is a first copy again
     */
    public void deleted(String repo, String path, String contentHash) {
        String fileKey = Records.key(repo, path);
        String key = contentHash == null ? fileKey : contentHash;
        var record = new ProducerRecord<byte[], byte[]>(Topics.INGEST_CANDIDATES.name(), key.getBytes(StandardCharsets.UTF_8), null);
        record.headers().add(FILE_KEY_HEADER, fileKey.getBytes(StandardCharsets.UTF_8));
        if (contentHash != null) record.headers().add(CONTENT_HASH_HEADER, contentHash.getBytes(StandardCharsets.UTF_8));
        send(record);
        metrics.counter("ingest.files.deleted").increment();
    }

    /** Waits until everything sent so far is acknowledged; throws if anything failed. */
    public void flush() {
        producer.flush();
        Exception failed = failure.getAndSet(null);
        if (failed != null) throw new IllegalStateException("publishing to Kafka failed: " + failed.getMessage(), failed);
    }

    private void send(String topic, String key, byte[] value) {
        send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value));
    }

    private void send(ProducerRecord<byte[], byte[]> record) {
        producer.send(record, (meta, error) -> {
            if (error != null) failure.compareAndSet(null, error);
        });
    }

    @Override
    public void close() {
        producer.close();
    }
}
