package dev.streamparrot.kit;

import dev.streamparrot.kafka.DeadLetters;
import dev.streamparrot.schemas.DeadLetter;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead letters for the input records a stage's processor finds poison itself (an unknown release, ids outside the
 * vocabulary), after Kafka Streams decoded them: the letter keeps the record's bytes (written again with the input
 * serde) and the reason. Records that do not even decode are the {@code DeadLetterHandler}'s.
 *
 * @param <V> the input value type
 */
public final class InputDeadLetters<V> {
    private static final Logger LOG = LoggerFactory.getLogger(InputDeadLetters.class);
    private final DeadLetters letters;
    private final Serializer<V> input;

    public InputDeadLetters(DeadLetters letters, Serializer<V> input) {
        this.letters = letters;
        this.input = input;
    }

    /** The letter for a record read at {@code where}; logged, since poison is rare and each one is worth a look. */
    public DeadLetter letter(RecordMetadata where, Record<byte[], V> record, RuntimeException why) {
        LOG.warn("dead-lettering {}-{}@{}: {}", where.topic(), where.partition(), where.offset(), why.getMessage());
        return letters.letter(where.topic(), where.partition(), where.offset(), record.key(),
                input.serialize(where.topic(), record.value()), why);
    }
}
