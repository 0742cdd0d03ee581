package dev.streamparrot.tokenize.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;

/** What the tokenize stream counts, exported on /prometheus by the service. */
public final class TokenizeMetrics {
    final Counter files;
    final Counter bytes;
    final Counter tokens;
    final Counter deadLetters;
    final Counter deletions;
    /** Time inside {@code Tokenizer.encode}: the benchmark's "encoding" share. */
    final Timer encode;
    /** Time waiting for the release catalog to catch up with activations newer than a record. */
    final Timer catalogWait;
    /** Time spent in Avro encoding and decoding: the benchmark's "Avro" share. */
    final Timer serde;

    public TokenizeMetrics(MeterRegistry registry) {
        files = Counter.builder("tokenize.files").description("source files encoded").register(registry);
        bytes = Counter.builder("tokenize.bytes").description("UTF-16 chars of content encoded").register(registry);
        tokens = Counter.builder("tokenize.tokens").description("token ids produced").register(registry);
        deletions = Counter.builder("tokenize.deletions").description("tombstones of deleted source files passed on").register(registry);
        deadLetters = Counter.builder("tokenize.dead.letters").description("poison records sent to dead-letters").register(registry);
        encode = Timer.builder("tokenize.encode").description("time in the tokenizer").register(registry);
        catalogWait = Timer.builder("tokenize.catalog.wait").description("time waiting to have read newer activations").register(registry);
        serde = Timer.builder("tokenize.serde").description("Avro encoding and decoding").register(registry);
    }

    public double filesEncoded() {
        return files.count();
    }

    public double encodeSeconds() {
        return encode.totalTime(TimeUnit.NANOSECONDS) / 1e9;
    }

    public double catalogWaitSeconds() {
        return catalogWait.totalTime(TimeUnit.NANOSECONDS) / 1e9;
    }

    public double serdeSeconds() {
        return serde.totalTime(TimeUnit.NANOSECONDS) / 1e9;
    }
}
