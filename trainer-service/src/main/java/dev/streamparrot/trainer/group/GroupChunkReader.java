package dev.streamparrot.trainer.group;

import dev.streamparrot.kafka.DeadLetteringDecoder;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.kafka.SchemaOutageException;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.ChunkCheck;
import dev.streamparrot.schemas.ChunkRange;
import dev.streamparrot.trainer.data.ChunkRecord;
import dev.streamparrot.trainer.data.Rejects;
import dev.streamparrot.trainer.data.Sample;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A member's chunks: the chunks-train partitions the consumer group gave it, read in log order and merged
 * round-robin one record at a time (as the single trainer's {@code ChunkDataset} merges, without its shuffle
 * buffer: a chunk counts as trained only once a round that used it is accepted, so none may wait in a buffer).
 *
 * <p>Every round starts at the group's committed offsets, which only the coordinator moves, when it accepts a
 * contribution: a member whose contribution was refused or dropped reads the same chunks again.
 */
final class GroupChunkReader {
    private static final Duration POLL = Duration.ofMillis(100);

    private final String topic;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final DeadLetteringDecoder<Chunk> decoder;
    private final Rejects rejects;
    private final Map<Integer, ArrayDeque<ChunkRecord>> pending = new TreeMap<>();
    private final Map<Integer, Long> taken = new TreeMap<>();     // per owned partition: offset after the last record handed out or skipped
    private final Map<Integer, Long> roundStart = new TreeMap<>();
    private final Map<Integer, Long> examinedUpTo = new HashMap<>(); // rejects are dead-lettered once per process
    private final Map<Integer, Long> decodedUpTo = new HashMap<>();
    private Map<Integer, Long> ends = new TreeMap<>();
    private List<Integer> owned = List.of();
    private int cursor;
    private ChunkCheck check;

    GroupChunkReader(String topic, KafkaConsumer<byte[], byte[]> consumer, DeadLetteringDecoder<Chunk> decoder, Rejects rejects) {
        this.topic = topic;
        this.consumer = consumer;
        this.decoder = decoder;
        this.rejects = rejects;
    }

    void setCheck(ChunkCheck check) {
        this.check = check;
    }

    /** Starts a round on the partitions owned now, at the group's committed offsets. */
    void startRound() {
        List<TopicPartition> tps = consumer.assignment().stream().filter(tp -> tp.topic().equals(topic)).toList();
        List<Integer> now = tps.stream().map(TopicPartition::partition).sorted().toList();
        if (!now.equals(owned)) cursor = 0;
        owned = now;
        pending.keySet().retainAll(owned);
        taken.clear();
        roundStart.clear();
        if (tps.isEmpty()) return;
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(tps));
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(tps);
        for (TopicPartition tp : tps) {
            OffsetAndMetadata c = committed.get(tp);
            long at = c != null ? c.offset() : begin.get(tp);
            ArrayDeque<ChunkRecord> q = pending.computeIfAbsent(tp.partition(), p -> new ArrayDeque<>());
            while (!q.isEmpty() && q.peek().offset() < at) q.remove();
            if (q.isEmpty() || q.peek().offset() != at) {
                q.clear();
                consumer.seek(tp, at);
            }
            taken.put(tp.partition(), at);
            roundStart.put(tp.partition(), at);
        }
        ends = endOffsets(tps);
    }

    /** The owned partitions of this round. */
    List<Integer> owned() {
        return owned;
    }

    /**
     * Up to {@code size} usable chunks; fewer (or none) when the owned partitions hold no more now. A partition is
     * skipped only once it provably holds nothing more below its end offset, so the order is a function of the log.
     */
    List<Sample> nextBatch(int size) throws InterruptedException {
        List<Sample> batch = new ArrayList<>(size);
        while (batch.size() < size) {
            Optional<Sample> s = next();
            if (s.isEmpty()) break;
            batch.add(s.get());
        }
        return batch;
    }

    /** Whether the owned partitions hold chunks this round has not read yet. */
    boolean hasMore() {
        if (owned.isEmpty()) return false;
        for (int p : owned) if (!pending.getOrDefault(p, new ArrayDeque<>()).isEmpty()) return true;
        Map<Integer, Long> fresh = endOffsets(owned.stream().map(p -> new TopicPartition(topic, p)).toList());
        for (int p : owned) if (fresh.getOrDefault(p, 0L) > taken.getOrDefault(p, 0L)) return true;
        return false;
    }

    /** What this round read: per owned partition, from its start to the offset after the last record taken. */
    List<ChunkRange> ranges() {
        List<ChunkRange> out = new ArrayList<>();
        roundStart.forEach((p, from) -> {
            long to = taken.get(p);
            if (to > from) out.add(new ChunkRange(p, from, to));
        });
        return out;
    }

    private Optional<Sample> next() throws InterruptedException {
        while (true) {
            dropRevoked();
            if (owned.isEmpty()) return Optional.empty();
            boolean undecided = false;
            for (int k = 0; k < owned.size(); k++) {
                int index = (cursor + k) % owned.size();
                int p = owned.get(index);
                ChunkRecord head = pending.get(p).peek();
                long end = ends.getOrDefault(p, 0L);
                if (head == null && consumer.position(new TopicPartition(topic, p)) < end) {
                    undecided = true;
                } else if (head != null) {
                    pending.get(p).remove();
                    cursor = (index + 1) % owned.size();
                    taken.put(p, head.offset() + 1);
                    Sample s = usable(head);
                    if (s != null) return Optional.of(s);
                    k = -1;
                }
            }
            if (undecided) {
                poll(POLL);
                continue;
            }
            Map<Integer, Long> fresh = endOffsets(owned.stream().map(p -> new TopicPartition(topic, p)).toList());
            boolean grew = owned.stream().anyMatch(p -> fresh.getOrDefault(p, 0L) > ends.getOrDefault(p, 0L));
            if (!grew) return Optional.empty();
            ends = fresh;
        }
    }

    /**
     * A partition revoked mid-round is read no further; what this round took from it stays in {@link #ranges}, and
     * the coordinator accepts it only if no other member's contribution trained those chunks first.
     */
    private void dropRevoked() {
        List<Integer> still = owned.stream().filter(p -> consumer.assignment().contains(new TopicPartition(topic, p))).toList();
        if (still.size() == owned.size()) return;
        owned = still;
        pending.keySet().retainAll(owned);
        cursor = 0;
    }

    /**
     * Polls the consumer (every poll of the member goes through here, so rebalance callbacks run and fetched
     * chunks are kept); chunks of partitions no longer owned are dropped.
     */
    void poll(Duration timeout) throws InterruptedException {
        if (Thread.interrupted()) throw new InterruptedException();
        ConsumerRecords<byte[], byte[]> records = consumer.poll(timeout);
        SchemaOutageException outage = null;
        for (TopicPartition tp : records.partitions()) {
            if (!tp.topic().equals(topic)) continue;
            ArrayDeque<ChunkRecord> q = pending.get(tp.partition());
            for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                if (q == null || !owned.contains(tp.partition())) break;
                ChunkRecord last = q.peekLast();
                long expected = last != null ? last.offset() + 1 : taken.getOrDefault(tp.partition(), 0L);
                if (r.offset() < expected) continue; // fetched before a seek back
                try {
                    Optional<Chunk> chunk = decode(r);
                    // an undecodable record was dead-lettered; the merge still has to step over its offset
                    q.add(new ChunkRecord(r.partition(), r.offset(), chunk.orElse(null)));
                } catch (SchemaOutageException e) {
                    consumer.seek(tp, r.offset());
                    outage = e;
                    break;
                }
            }
        }
        if (outage != null) outage.awaitRetry();
    }

    private Optional<Chunk> decode(ConsumerRecord<byte[], byte[]> r) {
        if (r.offset() < decodedUpTo.getOrDefault(r.partition(), 0L)) return decoder.decodeAgain(r);
        Optional<Chunk> chunk = decoder.decode(r);
        decodedUpTo.put(r.partition(), r.offset() + 1);
        return chunk;
    }

    private Sample usable(ChunkRecord r) {
        if (r.chunk() == null) return null;
        ChunkCheck.Result checked = check.check(r.chunk());
        boolean first = r.offset() >= examinedUpTo.getOrDefault(r.partition(), 0L);
        examinedUpTo.merge(r.partition(), r.offset() + 1, Math::max);
        if (!checked.usable()) {
            if (first) rejects.reject(r, checked.fault());
            return null;
        }
        return new Sample(r.partition(), r.offset(), checked.ids());
    }

    private Map<Integer, Long> endOffsets(List<TopicPartition> tps) {
        Map<Integer, Long> m = new TreeMap<>();
        if (tps.isEmpty()) return m;
        consumer.endOffsets(tps).forEach((tp, o) -> m.put(tp.partition(), o)); // read_committed: last stable offsets
        return m;
    }

    /** Where each partition of the chunk topic begins (what a partition the group never trained starts from). */
    static Map<Integer, Long> beginnings(KafkaConsumer<byte[], byte[]> consumer, String chunkTopic) {
        Map<Integer, Long> beginnings = new HashMap<>();
        List<TopicPartition> tps = consumer.partitionsFor(chunkTopic).stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        consumer.beginningOffsets(tps).forEach((tp, o) -> beginnings.put(tp.partition(), o));
        return beginnings;
    }

    /** The tokenizer of the first usable chunk on the chunk topic (lowest partition first), waiting for one. */
    static String firstTokenizer(KafkaSettings kafka, String chunkTopic, AvroSerde<Chunk> chunks, int seqLength) {
        Map<String, Object> c = kafka.consumer("-");
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            List<TopicPartition> tps = consumer.partitionsFor(chunkTopic).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).sorted(Comparator.comparingInt(TopicPartition::partition)).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            while (true) {
                Map<Integer, String> firsts = new TreeMap<>();
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (firsts.containsKey(r.partition())) continue;
                    try {
                        Chunk chunk = chunks.deserialize(r.topic(), r.value());
                        if (new ChunkCheck(String.valueOf(chunk.getTokenizerId()), seqLength, Integer.MAX_VALUE).check(chunk).usable()) {
                            firsts.put(r.partition(), String.valueOf(chunk.getTokenizerId()));
                        }
                    } catch (RuntimeException poison) {
                        // the members' readers dead-letter it
                    }
                }
                if (!firsts.isEmpty()) return firsts.values().iterator().next();
            }
        }
    }
}
