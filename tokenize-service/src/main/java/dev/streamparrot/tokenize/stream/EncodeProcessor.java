package dev.streamparrot.tokenize.stream;

import dev.streamparrot.kit.InputDeadLetters;
import dev.streamparrot.schemas.DeadLetter;
import dev.streamparrot.schemas.SourceFile;
import dev.streamparrot.schemas.TokenEncoding;
import dev.streamparrot.schemas.TokenIds;
import dev.streamparrot.schemas.TokenizedFile;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.tokenizer.Tokenizer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Encodes each source file, whole, with the release that the partition's {@link ReleaseSchedule} names
 * for the file's offset. Output keeps the input key, so a file's ids land in the same partition number
 * of token-ids as the file had in source-files, in the same order.
 */
final class EncodeProcessor implements Processor<byte[], SourceFile, byte[], Encoded> {

    private final ReleaseCatalog catalog;
    private final TokenizerCache tokenizers;
    private final InputDeadLetters<SourceFile> deadLetters;
    private final TokenizeMetrics metrics;
    private ProcessorContext<byte[], Encoded> context;
    private KeyValueStore<String, ReleaseSchedule> schedules;

    EncodeProcessor(ReleaseCatalog catalog, TokenizerCache tokenizers, InputDeadLetters<SourceFile> deadLetters, TokenizeMetrics metrics) {
        this.catalog = catalog;
        this.tokenizers = tokenizers;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<byte[], Encoded> context) {
        this.context = context;
        this.schedules = context.getStateStore(TokenizeTopology.SCHEDULES);
    }

    @Override
    public void process(Record<byte[], SourceFile> record) {
        RecordMetadata where = context.recordMetadata().orElseThrow();
        SourceFile file = record.value();
        if (file == null) {
            // The file was deleted from its repository: its token ids are taken back the same way.
            context.forward(new Record<>(record.key(), Encoded.deleted(), record.timestamp()));
            metrics.deletions.increment();
            return;
        }
        long w0 = System.nanoTime();
        try {
            catalog.awaitCaughtUp(record.timestamp());
            metrics.catalogWait.record(System.nanoTime() - w0, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading activations", e);
        }
        String partition = String.valueOf(where.partition());
        ReleaseSchedule before = Optional.ofNullable(schedules.get(partition)).orElse(ReleaseSchedule.EMPTY);
        ReleaseSchedule schedule = before.update(where.partition(), where.offset(), catalog.activations());
        if (schedule != before) schedules.put(partition, schedule);

        Optional<String> releaseId = schedule.releaseAt(where.offset());
        if (releaseId.isEmpty()) {
            deadLetter(record, where, "no tokenizer release is active at offset " + where.offset());
            return;
        }
        TokenizerRelease release;
        try {
            release = catalog.awaitRelease(releaseId.get(), Duration.ofSeconds(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for release " + releaseId.get(), e);
        }
        Tokenizer tokenizer = tokenizers.get(release);
        int[] ids;
        long t0 = System.nanoTime();
        try {
            ids = tokenizer.encode(file.getContent());
        } catch (RuntimeException e) {
            deadLetter(record, where, "cannot encode with " + release.getId() + ": " + e);
            return;
        } finally {
            metrics.encode.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        }
        TokenEncoding encoding = TokenIds.encodingFor(release.getVocabSize());
        String sourceKey = record.key() != null ? new String(record.key(), StandardCharsets.UTF_8) : file.getRepo() + "/" + file.getPath();
        TokenizedFile out = new TokenizedFile(sourceKey, file.getRepo(), release.getId(), encoding, TokenIds.pack(ids, encoding));
        context.forward(new Record<>(record.key(), Encoded.ids(out), record.timestamp()));
        metrics.files.increment();
        metrics.bytes.increment(file.getContent().length());
        metrics.tokens.increment(ids.length);
    }

    private void deadLetter(Record<byte[], SourceFile> record, RecordMetadata where, String reason) {
        DeadLetter letter = deadLetters.letter(where, record, new IllegalStateException(reason));
        context.forward(new Record<>(where.topic().getBytes(StandardCharsets.UTF_8), Encoded.deadLetter(letter), record.timestamp()));
        metrics.deadLetters.increment();
    }
}
