package dev.streamparrot.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Decides an {@link DecodeFault#AMBIGUOUS} failure before anything is dead-lettered: it reads the
 * record's neighbours on the same partition (up to {@link #RADIUS} before and after, with a short-lived
 * assigned consumer) and decodes them. When most of them fail too, the registry lost or changed what
 * their ids mean: an outage. When the record is alone in failing (or has no neighbours to compare
 * with), it is poison.
 *
 * <p>Why look at neighbours rather than hold failing records until a later one decodes: Kafka Streams'
 * deserialization handler must answer for each record at once and cannot look ahead, and one rule for
 * plain consumers and stream stages is easier to trust. Poison is rare, so one extra read per poison
 * record is cheap; an outage verdict is kept for {@link #VERDICT_TTL} per (partition, window), so a
 * reader retrying through an outage costs one look, not one per record or per retry. The kept verdict
 * holds one neighbour that failed; while that neighbour still fails the verdict stands, and once it
 * decodes the outage is over and the next failure gets a fresh look (a poison record that sat in the
 * window must not wait out the verdict).
 */
public final class OutageGuard {
    public static final int RADIUS = 10;
    static final Duration VERDICT_TTL = Duration.ofSeconds(30);
    private static final Duration LOOK_TIMEOUT = Duration.ofSeconds(15);

    /** @param why the reason, for the dead letter or the breaker */
    public record Verdict(DecodeFault fault, String why) {}

    /** A look's outcome: the verdict, and for an outage one neighbour that failed (null when none was read). */
    private record Look(Verdict verdict, ConsumerRecord<byte[], byte[]> failedNeighbour) {}

    /** An outage verdict kept for a window until its deadline ({@link System#nanoTime()}). */
    private record Kept(long deadline, ConsumerRecord<byte[], byte[]> failedNeighbour) {}

    private final String bootstrapServers;
    private final int radius;
    private final Map<String, Kept> outages = new ConcurrentHashMap<>(); // by window

    public OutageGuard(String bootstrapServers) {
        this(bootstrapServers, RADIUS);
    }

    OutageGuard(String bootstrapServers, int radius) {
        this.bootstrapServers = bootstrapServers;
        this.radius = radius;
    }

    /**
     * @param decoder decodes a neighbour's value as the reader does, throwing when it cannot
     * @return {@link DecodeFault#POISON} or {@link DecodeFault#OUTAGE}, never ambiguous
     */
    public Verdict judge(ConsumerRecord<byte[], byte[]> record, Exception failure, BiFunction<String, byte[], ?> decoder) {
        String reason = DeadLetters.describe(failure);
        DecodeFault fault = DecodeFault.of(failure);
        if (fault != DecodeFault.AMBIGUOUS) return new Verdict(fault, reason);
        String window = record.topic() + "-" + record.partition() + "/" + record.offset() / (2L * radius + 1);
        Kept kept = outages.get(window);
        if (kept != null && kept.deadline() - System.nanoTime() > 0 && stillFails(kept.failedNeighbour(), decoder)) {
            return new Verdict(DecodeFault.OUTAGE, "its neighbours failed too (looked at less than "
                    + VERDICT_TTL.toSeconds() + " s ago, and offset " + kept.failedNeighbour().offset() + " still fails): " + reason);
        }
        outages.remove(window);
        Look look = lookAround(record, decoder, reason);
        if (look.failedNeighbour() != null) {
            outages.put(window, new Kept(System.nanoTime() + VERDICT_TTL.toNanos(), look.failedNeighbour()));
        }
        return look.verdict();
    }

    private static boolean stillFails(ConsumerRecord<byte[], byte[]> neighbour, BiFunction<String, byte[], ?> decoder) {
        try {
            decoder.apply(neighbour.topic(), neighbour.value());
            return false;
        } catch (RuntimeException e) {
            return true;
        }
    }

    private Look lookAround(ConsumerRecord<byte[], byte[]> record, BiFunction<String, byte[], ?> decoder, String reason) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        int looked = 0, failed = 0;
        ConsumerRecord<byte[], byte[]> firstFailed = null;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "outage-guard-" + tp,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, dev.streamparrot.topics.Topics.MAX_MESSAGE_BYTES,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            consumer.assign(List.of(tp));
            long begin = consumer.beginningOffsets(List.of(tp), LOOK_TIMEOUT).get(tp);
            long end = consumer.endOffsets(List.of(tp), LOOK_TIMEOUT).get(tp);
            long from = Math.max(begin, record.offset() - radius), to = Math.min(end, record.offset() + radius + 1);
            consumer.seek(tp, from);
            long deadline = System.nanoTime() + LOOK_TIMEOUT.toNanos();
            while (consumer.position(tp) < to && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> neighbour : consumer.poll(Duration.ofMillis(200))) {
                    if (neighbour.offset() >= to || neighbour.offset() == record.offset() || neighbour.value() == null) continue;
                    looked++;
                    try {
                        decoder.apply(neighbour.topic(), neighbour.value());
                    } catch (RuntimeException e) {
                        if (DecodeFault.of(e) == DecodeFault.OUTAGE) {
                            return new Look(new Verdict(DecodeFault.OUTAGE, DeadLetters.describe(e)), neighbour);
                        }
                        if (firstFailed == null) firstFailed = neighbour;
                        failed++;
                    }
                }
            }
        } catch (RuntimeException cannotLook) {
            // Without the neighbours nothing can be told apart, and the broker failing is an outage anyway.
            return new Look(new Verdict(DecodeFault.OUTAGE, "cannot read its neighbours (" + cannotLook + "): " + reason), null);
        }
        String counted = failed + " of its " + looked + " neighbours on " + tp + " fail too";
        return 2 * failed > looked
                ? new Look(new Verdict(DecodeFault.OUTAGE, counted + ": " + reason), firstFailed)
                : new Look(new Verdict(DecodeFault.POISON, reason + " (" + counted + ")"), null);
    }
}
