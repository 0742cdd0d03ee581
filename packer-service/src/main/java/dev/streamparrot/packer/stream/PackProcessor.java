package dev.streamparrot.packer.stream;

import dev.streamparrot.kit.InputDeadLetters;
import dev.streamparrot.packer.core.Packer;
import dev.streamparrot.packer.core.Remainder;
import dev.streamparrot.packer.core.RepoSplit;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.DeadLetter;
import dev.streamparrot.schemas.Split;
import dev.streamparrot.schemas.TokenEncoding;
import dev.streamparrot.schemas.TokenIds;
import dev.streamparrot.schemas.TokenizedFile;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.Optional;

/**
 * Packs one task's files (one token-ids partition) into chunks. The remainder of each (partition,
 * split, release) and the next sequence number of each (partition, split) live in state stores that
 * Kafka Streams commits in the same transaction as the chunks, so a crash never loses or repeats ids.
 *
 * <p>A release change never mixes releases in a chunk: each release keeps its own remainder. The old
 * release's remainder (under seq_length ids) waits in its slot and is continued if that release is ever
 * activated again; nothing is dropped.
 */
final class PackProcessor implements Processor<byte[], TokenizedFile, Integer, PackResult> {

    private final Packer packer;
    private final RepoSplit split;
    private final TokenizerReleases releases;
    private final InputDeadLetters<TokenizedFile> deadLetters;
    private final PackerMetrics metrics;
    private ProcessorContext<Integer, PackResult> context;
    private KeyValueStore<String, Remainder> remainders;
    private KeyValueStore<String, Long> sequences;

    PackProcessor(Packer packer, RepoSplit split, TokenizerReleases releases, InputDeadLetters<TokenizedFile> deadLetters,
                  PackerMetrics metrics) {
        this.packer = packer;
        this.split = split;
        this.releases = releases;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Integer, PackResult> context) {
        this.context = context;
        this.remainders = context.getStateStore(PackerTopology.REMAINDERS);
        this.sequences = context.getStateStore(PackerTopology.SEQUENCES);
    }

    @Override
    public void process(Record<byte[], TokenizedFile> record) {
        RecordMetadata where = context.recordMetadata().orElseThrow();
        TokenizedFile file = record.value();
        if (file == null) return; // a tombstone carries no ids
        Optional<TokenizerRelease> release = releases.find(file.getTokenizerId());
        if (release.isEmpty()) {
            deadLetter(record, where, "unknown tokenizer release '" + file.getTokenizerId() + "'");
            return;
        }
        TokenEncoding encoding = TokenIds.encodingFor(release.get().getVocabSize());
        if (file.getEncoding() != encoding) {
            deadLetter(record, where, "ids packed as " + file.getEncoding() + " but release " + file.getTokenizerId()
                    + " (vocabulary " + release.get().getVocabSize() + ") uses " + encoding);
            return;
        }
        int[] ids;
        try {
            ids = TokenIds.unpack(file.getIds(), encoding);
        } catch (IllegalArgumentException e) {
            deadLetter(record, where, e.getMessage());
            return;
        }
        int vocab = release.get().getVocabSize();
        for (int id : ids) {
            if (id >= vocab) {
                deadLetter(record, where, "token id " + id + " is outside the vocabulary of release "
                        + file.getTokenizerId() + " (" + vocab + " ids)");
                return;
            }
        }

        int partition = where.partition();
        Split target = split.of(file.getRepo());
        String remainderKey = partition + "/" + target + "/" + file.getTokenizerId();
        String sequenceKey = partition + "/" + target;
        Packer.Packed packed = packer.accept(Optional.ofNullable(remainders.get(remainderKey)).orElse(Remainder.EMPTY), ids,
                release.get().getEosId(), file.getSourceKey());
        long sequence = Optional.ofNullable(sequences.get(sequenceKey)).orElse(0L);
        for (var chunk : packed.chunks()) {
            Chunk out = new Chunk(sequence++, partition, file.getTokenizerId(), target, encoding,
                    TokenIds.pack(chunk.ids(), encoding), chunk.sourceKeys());
            context.forward(new Record<>(partition, PackResult.chunk(out), record.timestamp()));
            metrics.chunks(target).increment();
            metrics.tokens.increment(chunk.ids().length);
        }
        remainders.put(remainderKey, packed.remainder());
        sequences.put(sequenceKey, sequence);
        metrics.files.increment();
    }

    private void deadLetter(Record<byte[], TokenizedFile> record, RecordMetadata where, String reason) {
        DeadLetter letter = deadLetters.letter(where, record, new IllegalArgumentException(reason));
        context.forward(new Record<>(where.partition(), PackResult.deadLetter(letter), record.timestamp()));
        metrics.deadLetters.increment();
    }
}
