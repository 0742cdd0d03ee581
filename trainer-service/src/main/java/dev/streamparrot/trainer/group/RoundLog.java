package dev.streamparrot.trainer.group;

import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.schemas.TrainerFragment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One group's rounds on a one-partition round topic (trainer-global or trainer-outer), read_committed: a round's
 * fragments become visible together, when the coordinator's transaction commits. Reads the tail to find the
 * latest round, then forward to follow new ones.
 */
final class RoundLog implements AutoCloseable {
    /** A round's whole vector and its first fragment (the header). */
    record Round(long round, TrainerFragment header, float[] values) {}

    private final TopicPartition tp;
    private final String group;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroSerde<TrainerFragment> serde;
    private final Map<Long, Fragments.Assembly> assembling = new TreeMap<>();
    private long bytesRead;

    RoundLog(String topic, String group, Map<String, Object> consumerConfig, AvroSerde<TrainerFragment> serde) {
        this.tp = new TopicPartition(topic, 0);
        this.group = group;
        this.serde = serde;
        Map<String, Object> c = new HashMap<>(consumerConfig);
        c.remove(ConsumerConfig.GROUP_ID_CONFIG); // assigned, never committed
        this.consumer = new KafkaConsumer<>(c);
        consumer.assign(List.of(tp));
    }

    /** The newest complete round of the group, reading back from the end as far as needed; the position ends at the end. */
    Optional<Round> latest() {
        long begin = consumer.beginningOffsets(List.of(tp)).get(tp), end = consumer.endOffsets(List.of(tp)).get(tp);
        for (long window = 64; ; window *= 4) {
            long from = Math.max(begin, end - window);
            consumer.seek(tp, from);
            assembling.clear();
            Round found = null;
            while (consumer.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() >= end) continue;
                    Round done = add(r);
                    if (done != null && (found == null || done.round() > found.round())) found = done;
                }
            }
            if (found != null || from == begin) {
                assembling.clear();
                return Optional.ofNullable(found);
            }
        }
    }

    /** The first round after {@code after} that completes within the timeout, reading forward. */
    Optional<Round> next(long after, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Round found = null;
        do {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                Round done = add(r);
                if (done != null && done.round() > after && (found == null || done.round() > found.round())) found = done;
            }
        } while (found == null && System.nanoTime() < deadline);
        return Optional.ofNullable(found);
    }

    /** Bytes of fragments this reader received so far (what the exchange cost this member). */
    long bytesRead() {
        return bytesRead;
    }

    private Round add(ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) return null;
        TrainerFragment f = RegistryOutage.waitOut(group, () -> serde.deserialize(tp.topic(), r.value()));
        if (!group.equals(f.getGroup())) return null;
        bytesRead += r.value().length;
        Fragments.Assembly a = assembling.get(f.getRound());
        if (a == null) assembling.put(f.getRound(), a = new Fragments.Assembly(f));
        else a.add(f);
        if (!a.complete()) return null;
        assembling.remove(f.getRound());
        assembling.keySet().removeIf(round -> round < f.getRound());
        return new Round(f.getRound(), a.header(), a.values());
    }

    @Override
    public void close() {
        consumer.close();
    }
}
