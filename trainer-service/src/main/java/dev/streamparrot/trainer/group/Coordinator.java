package dev.streamparrot.trainer.group;

import dev.streamparrot.kafka.DeadLetters;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.schemas.ChunkRange;
import dev.streamparrot.schemas.FragmentKind;
import dev.streamparrot.schemas.TrainerFragment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The outer step of a trainer group, held by whichever member owns the trainer-coordinator topic's partition.
 *
 * <p>All its state is in Kafka and moves in one transaction per round: the next global parameters (trainer-global),
 * the outer momentum (trainer-outer), the dead letters of refused contributions, the group's chunk offsets (what
 * the accepted contributions trained) and its own position on trainer-contributions. A coordinator that dies
 * mid-round commits none of it; the next one (its producer's transactional id fences the old one) reads the latest
 * committed round and collects that round's contributions again from the committed position: no round is applied
 * twice or lost, and a chunk's offset moves only with the round that trained it.
 */
final class Coordinator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Coordinator.class);
    static final String SERVICE = "trainer-service";

    /** The state a round starts from. */
    record State(long round, float[] params, float[] momentum, long innerSteps, long tokens, Map<Integer, Long> trainedUpTo) {}

    /** What closing a round did, for status and logs. */
    record Closed(State next, int accepted, int refused, int late, long bytesIn, long bytesOut, double seconds) {}

    private final GroupSettings settings;
    private final String fingerprint;
    private final AvroSerde<TrainerFragment> serde;
    private final DeadLetters deadLetters;
    private final GroupView group;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> contributions;
    private final TopicPartition contributionsTp;
    private final GroupTopics topics;
    private final OuterStep outer;
    private final Map<String, Fragments.Assembly> assembling = new LinkedHashMap<>();
    private final Map<String, Long> firstOffsets = new HashMap<>();
    private final Map<String, Contribution> accepted = new LinkedHashMap<>(); // by member
    private final List<Contribution> arrived = new ArrayList<>(); // complete, judged once the group's members are known
    private final List<ProducerRecord<byte[], byte[]>> letters = new ArrayList<>();
    private final Map<Integer, Long> reachedThisRound = new TreeMap<>();
    private State state;
    private long roundStartedNanos = System.nanoTime();
    private long bytesIn;
    private int refused, lateDropped;

    /**
     * Takes the role: fences any earlier coordinator of the group, then reads the committed state. Publishes round 0
     * from {@code initial} (the seeded initialisation every member would make) when the group has no round yet.
     */
    Coordinator(KafkaSettings kafka, GroupSettings settings, GroupTopics topics, String fingerprint, AvroSerde<TrainerFragment> serde, DeadLetters deadLetters,
                Admin admin, ConsumerGroupMetadata memberGroup, Map<Integer, Long> beginnings, java.util.function.Supplier<float[]> initial) {
        this.settings = settings;
        this.topics = topics;
        this.contributionsTp = new TopicPartition(topics.contributions().name(), 0);
        this.fingerprint = fingerprint;
        this.serde = serde;
        this.deadLetters = deadLetters;
        this.group = new GroupView(admin, settings.groupId());
        this.outer = new OuterStep(settings.outerLr(), settings.outerMomentum());
        Map<String, Object> p = kafka.producer(SERVICE + "-" + settings.groupId() + "-coordinator");
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "trainer-group-" + settings.groupId() + "-coordinator");
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 120_000);
        this.producer = new KafkaProducer<>(p);
        producer.initTransactions(); // fences the previous coordinator: its open transaction is aborted, its next commit fails
        Map<String, Object> c = kafka.consumer(outerGroup(settings.groupId()));
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 8);
        this.contributions = new KafkaConsumer<>(c);
        contributions.assign(List.of(contributionsTp));
        OffsetAndMetadata committed = contributions.committed(Set.of(contributionsTp)).get(contributionsTp);
        if (committed != null) contributions.seek(contributionsTp, committed.offset());
        else contributions.seekToBeginning(List.of(contributionsTp));

        Optional<RoundLog.Round> global, momentum;
        try (RoundLog g = new RoundLog(topics.global().name(), settings.groupId(), kafka.consumer("-"), serde);
             RoundLog m = new RoundLog(topics.outer().name(), settings.groupId(), kafka.consumer("-"), serde)) {
            global = g.latest();
            momentum = m.latest();
        }
        Map<Integer, Long> trained = new TreeMap<>(beginnings);
        trained.putAll(group.committedChunkOffsets(topics.chunks().name()));
        if (global.isEmpty()) {
            float[] params = initial.get();
            state = new State(0, params, new float[params.length], 0, 0, trained);
            publish(state, List.of(), memberGroup);
            LOG.info("trainer group {}: round 0 published ({} parameters)", settings.groupId(), params.length);
        } else {
            RoundLog.Round g = global.get();
            float[] buffer = momentum.filter(m -> m.round() == g.round()).map(RoundLog.Round::values).orElse(new float[g.values().length]);
            state = new State(g.round(), g.values(), buffer, g.header().getInnerSteps(), g.header().getTokens(), trained);
            LOG.info("trainer group {}: coordinating from round {}", settings.groupId(), g.round());
        }
        startRound();
    }

    static String outerGroup(String groupId) {
        return groupId + "-coordinator";
    }

    State state() {
        return state;
    }

    int refused() {
        return refused;
    }

    int lateDropped() {
        return lateDropped;
    }

    private void startRound() {
        accepted.clear();
        letters.clear();
        reachedThisRound.clear();
        reachedThisRound.putAll(state.trainedUpTo());
        roundStartedNanos = System.nanoTime();
        bytesIn = 0;
    }

    /**
     * Reads contributions for a while and judges each complete one. Returns the closed round when it could close
     * (every live member contributed, or the timeout passed with a quorum; at least one contribution trained tokens).
     */
    Optional<Closed> collect(Duration timeout, ConsumerGroupMetadata memberGroup) {
        for (ConsumerRecord<byte[], byte[]> r : contributions.poll(timeout)) {
            if (r.value() == null) continue;
            TrainerFragment f = RegistryOutage.waitOut(settings.groupId(), () -> serde.deserialize(contributionsTp.topic(), r.value()));
            if (!settings.groupId().equals(f.getGroup())) continue;
            bytesIn += r.value().length;
            String id = f.getContributionId();
            Fragments.Assembly a = assembling.get(id);
            if (a == null) {
                assembling.put(id, a = new Fragments.Assembly(f));
                firstOffsets.put(id, r.offset());
            } else {
                a.add(f);
            }
            if (f.getIndex() == 0) firstOffsets.put(id, r.offset());
            if (a.complete()) {
                assembling.remove(id);
                arrived.add(toContribution(id, a, firstOffsets.remove(id)));
            }
        }
        Set<String> members = group.liveMembers();
        if (members.isEmpty()) return Optional.empty(); // the group is rebalancing: who is live is not known now
        arrived.forEach(this::judge);
        arrived.clear();
        boolean anyTokens = accepted.values().stream().anyMatch(c -> !c.empty());
        boolean all = accepted.keySet().containsAll(members);
        boolean timedOut = System.nanoTime() - roundStartedNanos > settings.roundTimeout().toNanos();
        long present = accepted.keySet().stream().filter(members::contains).count();
        boolean quorum = present >= Math.ceil(settings.quorum() * members.size());
        if (!anyTokens || !(all || (timedOut && quorum))) return Optional.empty();
        try {
            return Optional.of(close(memberGroup));
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // the trainer group rebalanced since this member last polled: its generation is stale. Nothing was
            // committed; the member polls (and rejoins) and the next call closes the round again.
            LOG.info("trainer group {}: round {} not committed during a rebalance ({}); trying again", settings.groupId(), state.round(),
                    e.getMessage());
            group.forgetMembers();
            return Optional.empty();
        }
    }

    private Contribution toContribution(String id, Fragments.Assembly a, Long firstOffset) {
        TrainerFragment h = a.header();
        return new Contribution(id, h.getMemberId(), h.getRound(), h.getFingerprint(), h.getTokens(), h.getInnerSteps(),
                List.copyOf(h.getRanges()), a.values(), h, firstOffset == null ? -1 : firstOffset);
    }

    private void judge(Contribution c) {
        Contribution earlier = accepted.get(c.memberId());
        String reason = c.refusal(state.round(), group.liveMembers(), fingerprint, state.params().length, reachedThisRound);
        if (reason == null && earlier != null && !earlier.empty()) {
            reason = "member " + c.memberId() + " contributed to round " + c.round() + " already (" + earlier.id() + ")";
        }
        if (reason != null) {
            refused++;
            if (c.round() < state.round()) lateDropped++;
            LOG.warn("refused: {}", reason);
            String why = reason;
            letters.add(RegistryOutage.waitOut(settings.groupId(), () -> deadLetters.record(deadLetters.letter(contributionsTp.topic(), 0,
                    c.firstOffset(), Fragments.key(c.header()).getBytes(StandardCharsets.UTF_8), serde.serialize(contributionsTp.topic(), c.header()), why))));
            return;
        }
        accepted.put(c.memberId(), c);
        for (ChunkRange r : c.ranges()) reachedThisRound.put(r.getPartition(), r.getTo());
    }

    private Closed close(ConsumerGroupMetadata memberGroup) {
        List<OuterStep.Local> locals = accepted.values().stream().filter(c -> !c.empty())
                .map(c -> new OuterStep.Local(c.params(), c.tokens())).toList();
        float[] momentum = state.momentum().clone();
        float[] params = outer.apply(state.params(), momentum, locals);
        long tokens = locals.stream().mapToLong(OuterStep.Local::tokens).sum();
        long steps = accepted.values().stream().mapToLong(Contribution::innerSteps).max().orElse(0);
        int late = 0;
        for (Fragments.Assembly a : assembling.values()) {
            TrainerFragment h = a.header();
            if (h != null && h.getRound() == state.round()) late++;
        }
        State next = new State(state.round() + 1, params, momentum, state.innerSteps() + steps, state.tokens() + tokens,
                Map.copyOf(reachedThisRound));
        List<String> ids = accepted.values().stream().map(Contribution::id).toList();
        long bytesOut = publish(next, ids, memberGroup);
        double seconds = (System.nanoTime() - roundStartedNanos) / 1e9;
        Closed closed = new Closed(next, ids.size(), letters.size(), late, bytesIn, bytesOut, seconds);
        lateDropped += late;
        state = next;
        startRound();
        return closed;
    }

    /**
     * One transaction: letters, global parameters, momentum, chunk offsets, the coordinator's position. Every record
     * is encoded before the transaction begins, so a registry outage waits outside it (and cannot outlast its timeout).
     */
    private long publish(State s, List<String> acceptedIds, ConsumerGroupMetadata memberGroup) {
        Fragments.Header g = new Fragments.Header(settings.groupId(), FragmentKind.GLOBAL, s.round(), memberGroup.memberId(), "",
                fingerprint, s.tokens(), s.innerSteps(), List.of(), acceptedIds);
        List<ProducerRecord<byte[], byte[]>> globals = encode(topics.global().name(), Fragments.cut(g, s.params()));
        Fragments.Header m = new Fragments.Header(settings.groupId(), FragmentKind.MOMENTUM, s.round(), memberGroup.memberId(), "",
                fingerprint, s.tokens(), s.innerSteps(), List.of(), List.of());
        List<ProducerRecord<byte[], byte[]>> momenta = encode(topics.outer().name(), Fragments.cut(m, s.momentum()));
        long bytes = globals.stream().mapToLong(r -> r.value().length).sum();
        producer.beginTransaction();
        try {
            for (ProducerRecord<byte[], byte[]> letter : letters) producer.send(letter);
            globals.forEach(producer::send);
            momenta.forEach(producer::send);
            Map<TopicPartition, OffsetAndMetadata> chunkOffsets = s.trainedUpTo().entrySet().stream().collect(Collectors.toMap(
                    e -> new TopicPartition(topics.chunks().name(), e.getKey()), e -> new OffsetAndMetadata(e.getValue())));
            // the coordinator is a member of the trainer group: the broker checks its generation (KIP-447)
            producer.sendOffsetsToTransaction(chunkOffsets, memberGroup);
            producer.sendOffsetsToTransaction(Map.of(contributionsTp, new OffsetAndMetadata(contributions.position(contributionsTp))),
                    new ConsumerGroupMetadata(outerGroup(settings.groupId())));
            producer.commitTransaction();
            return bytes;
        } catch (RuntimeException e) {
            try {
                producer.abortTransaction();
            } catch (RuntimeException ignored) {
                // fenced: nothing to abort from here, the broker aborted it
            }
            throw e;
        }
    }

    private List<ProducerRecord<byte[], byte[]>> encode(String topic, List<TrainerFragment> fragments) {
        return fragments.stream().map(f -> new ProducerRecord<>(topic, Fragments.key(f).getBytes(StandardCharsets.UTF_8),
                RegistryOutage.waitOut(settings.groupId(), () -> serde.serialize(topic, f)))).toList();
    }

    @Override
    public void close() {
        contributions.close(Duration.ofSeconds(5));
        producer.close(Duration.ofSeconds(5));
    }
}
