package dev.streamparrot.tokenize.train;

import dev.streamparrot.artifacts.Manifest;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.tokenizer.BpeTrainer;
import dev.streamparrot.tokenizer.Tokenizer;
import dev.streamparrot.tokenizer.TokenizerReport;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * Trains a byte-level BPE tokenizer on a sample of documents, measures it on the same sample as the
 * book does, stores it, and describes the release. Knows nothing of Kafka.
 */
public final class TrainTokenizerJob {
    private TrainTokenizerJob() {}

    /** The release record, and the report that went into it. */
    public record Result(TokenizerRelease release, TokenizerReport report, Manifest stored) {}

    public static Result run(List<String> documents, BpeTrainer.Config config, BpeTrainer.Progress progress,
                             TokenizerStore store) throws IOException {
        if (documents.isEmpty()) throw new IllegalArgumentException("no documents to train on: is source-files empty?");
        Tokenizer tokenizer = new BpeTrainer(config, progress).train(documents.iterator());
        TokenizerReport report = TokenizerReport.measure(tokenizer, documents.iterator());
        Manifest stored = store.put(tokenizer, report.toText());
        long bytes = documents.stream().mapToLong(d -> d.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).sum();
        TokenizerRelease release = TokenizerRelease.newBuilder()
                .setId(tokenizer.id())
                .setVocabSize(tokenizer.vocabSize())
                .setEosId(tokenizer.eosId())
                .setLocation(stored.location())
                .setSha256(stored.entry(TokenizerStore.TOKENIZER_FILE).orElseThrow().sha256())
                .setTrainedOnFiles(documents.size())
                .setTrainedOnBytes(bytes)
                .setReport(report.toText())
                .setCreatedAt(Instant.now())
                .build();
        return new Result(release, report, stored);
    }
}
