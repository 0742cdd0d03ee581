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
        files = counter(registry, "files", "source files encoded");
        bytes = counter(registry, "bytes", "UTF-16 chars of content encoded");
        tokens = counter(registry, "tokens", "token ids produced");
        deletions = counter(registry, "deletions", "tombstones of deleted source files passed on");
        deadLetters = counter(registry, "dead.letters", "poison records sent to dead-letters");
        encode = timer(registry, "encode", "time in the tokenizer");
        catalogWait = timer(registry, "catalog.wait", "time waiting to have read newer activations");
        serde = timer(registry, "serde", "Avro encoding and decoding");
    }

    private static Counter counter(MeterRegistry registry, String name, String description) {
        return Counter.builder("tokenize." + name).description(description).register(registry);
    }

    private static Timer timer(MeterRegistry registry, String name, String description) {
        return Timer.builder("tokenize." + name).description(description).register(registry);
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
