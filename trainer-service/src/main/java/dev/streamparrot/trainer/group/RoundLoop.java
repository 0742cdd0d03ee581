package dev.streamparrot.trainer.group;

import dev.streamparrot.model.AdamW;
import dev.streamparrot.model.Gpt;
import dev.streamparrot.model.TrainStep;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.schemas.FragmentKind;
import dev.streamparrot.schemas.TrainerFragment;
import dev.streamparrot.trainer.data.Sample;
import dev.streamparrot.trainer.loop.TrainingArgs;
import dev.streamparrot.trainer.loop.TrainingListener;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;

/**
 * A group member's loop over rounds: take the round's global parameters, train up to H inner steps on the member's
 * partitions, contribute, coordinate while holding the role, and wait for the next round. {@link GroupMember} sets
 * up what it runs with.
 */
final class RoundLoop {
    private static final Logger LOG = LoggerFactory.getLogger(RoundLoop.class);

    /** The member it runs for: its settings, listeners and status, and whether it was asked to stop. */
    record Member(GroupSettings settings, TrainingArgs args, GroupTopics topics, List<TrainingListener> listeners, GroupStatus status,
                  Membership membership, MemberCheckpoint memberState, BooleanSupplier stopRequested) {}

    /** The member's Kafka ends: its group consumer and producer, the admin client, the round log and its chunk reader. */
    record Links(KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<byte[], byte[]> producer, Admin admin, RoundLog global,
                 GroupChunkReader reader, AvroSerde<TrainerFragment> fragments) {}

    /** What the member trains: the model, its inner optimizer and step, and the fingerprint every round must carry. */
    record Local(Gpt model, AdamW optimizer, TrainStep trainStep, String fingerprint) {}

    final Member member;
    final Links io;
    final Local local;
    final CoordinatorRole role;
    RoundLog.Round current;
    long lastRoundBytes;
    boolean restorePending = true; // the first round this member trains may resume its inner state

    RoundLoop(Member member, Links io, Local local, RoundLog.Round latest, CoordinatorRole role) {
        this.member = member;
        this.io = io;
        this.local = local;
        this.current = latest;
        this.role = role;
    }

    void run() throws InterruptedException {
        try {
            while (current == null) {
                role.sync();
                current = io.global().next(-1, Duration.ofMillis(200)).orElse(null);
                io.reader().poll(Duration.ZERO);
            }
            while (!member.stopRequested().getAsBoolean() && current.header().getInnerSteps() < member.args().maxTrainSteps()) {
                long started = System.nanoTime();
                long readBefore = io.global().bytesRead();
                Sent sent = train(current);
                RoundLog.Round next = null;
                long lastDataCheck = System.nanoTime();
                while (next == null && !member.stopRequested().getAsBoolean()) {
                    role.sync();
                    if (role.active()) role.coordinate(current.header().getTokens());
                    next = io.global().next(current.round(), Duration.ofMillis(role.active() ? 10 : 200)).orElse(null);
                    io.reader().poll(Duration.ZERO);
                    if (next == null && sent.empty() && System.nanoTime() - lastDataCheck > member.settings().dataWait().toNanos()) {
                        lastDataCheck = System.nanoTime();
                        io.reader().startRound();
                        if (io.reader().hasMore()) sent = train(current); // chunks arrived: this round can still use them
                    }
                    if (next == null && !sent.empty()
                            && System.nanoTime() - sent.at() > member.settings().roundTimeout().plus(member.settings().dataWait()).toNanos()) {
                        // no next round long after this member contributed: the coordinator may have refused it (say,
                        // while the group rebalanced and this member's id changed). Train the round again; a duplicate
                        // of an accepted contribution is refused, so nothing is counted twice.
                        LOG.info("trainer group {}: round {} still open {} s after this member contributed; contributing again",
                                member.settings().groupId(), current.round(), member.settings().roundTimeout().plus(member.settings().dataWait()).toSeconds());
                        sent = train(current);
                    }
                }
                if (next == null) break;
                if (member.settings().checkpointed(next.round(), next.header().getInnerSteps(), member.args().maxTrainSteps())) {
                    synchronized (GroupMember.TORCH) {
                        member.memberState().save(next.header().getInnerSteps(), Math.max(size, 1), local.optimizer());
                    }
                }
                lastRoundBytes = sent.bytes() + io.global().bytesRead() - readBefore;
                double seconds = (System.nanoTime() - started) / 1e9;
                member.status().update(s -> new GroupStatus.Snapshot(s.memberId(), s.partitions(), s.coordinator(), s.round(), s.innerStep(),
                        s.groupSize(), seconds, lastRoundBytes, s.bytesExchanged() + lastRoundBytes, s.tokensExchanged(), s.refused(),
                        s.lateDropped()));
                current = next;
            }
            role.finish();
        } finally {
            role.close();
        }
    }

    /** The contribution a round ended with. */
    record Sent(boolean empty, long bytes, long at) {}

    Sent train(RoundLog.Round round) throws InterruptedException {
        if (!allFinite(ParamVector.read(local.model()))) {
            throw new IllegalStateException("the member's parameters are not finite: it cannot take the global parameters in place");
        }
        ParamVector.write(local.model(), round.values());
        if (member.listeners().stream().anyMatch(l -> l instanceof GroupListener)) {
            float[] start = ParamVector.read(local.model());
            member.listeners().forEach(l -> { if (l instanceof GroupListener g) g.roundStarted(round.round(), start); });
        }
        member.membership().startRound();
        io.reader().startRound();
        long base = round.header().getInnerSteps();
        long steps = Math.min(member.settings().innerSteps(), member.args().maxTrainSteps() - base);
        int perUpdate = member.args().trainBatchSize() * member.args().gradientAccumulationSteps();
        List<Sample> trained = new ArrayList<>();
        long h = 0, tokens = 0, waitUntil = System.nanoTime() + member.settings().dataWait().toNanos();
        publishStatus(round.round(), 0);
        if (restorePending) {
            restorePending = false;
            String outcome;
            synchronized (GroupMember.TORCH) {
                outcome = member.memberState().restore(base, Math.max(size, 1), local.optimizer());
            }
            LOG.info("trainer group {}: {}", member.settings().groupId(), outcome);
        }
        while (h < steps && !member.membership().revokedThisRound() && !member.stopRequested().getAsBoolean()) {
            List<Sample> batch = io.reader().nextBatch(perUpdate);
            if (batch.isEmpty()) {
                if (h == 0 && System.nanoTime() < waitUntil) {
                    io.reader().poll(Duration.ofMillis(100));
                    continue;
                }
                break;
            }
            List<int[][]> micro = new ArrayList<>();
            for (int i = 0; i < batch.size(); i += member.args().trainBatchSize()) {
                micro.add(batch.subList(i, Math.min(batch.size(), i + member.args().trainBatchSize())).stream().map(Sample::ids).toArray(int[][]::new));
            }
            long t0 = System.nanoTime();
            TrainStep.Result r;
            synchronized (GroupMember.TORCH) {
                r = local.trainStep().run(micro, base + h);
            }
            h++;
            long batchTokens = (long) batch.size() * member.args().seqLength();
            tokens += batchTokens;
            trained.addAll(batch);
            double tokensPerSecond = batchTokens / ((System.nanoTime() - t0) / 1e9);
            member.listeners().forEach(l -> l.updated(r, tokensPerSecond));
            if (r.step() % member.args().logInterval() == 0) {
                Map<String, Double> s = new LinkedHashMap<>();
                s.put("loss/train", r.loss());
                s.put("lr", r.lr());
                s.put("tokens/s", tokensPerSecond);
                member.listeners().forEach(l -> l.scalars(r.step(), s));
            }
            publishStatus(round.round(), h);
            io.reader().poll(Duration.ZERO); // rebalance callbacks; a revoked partition ends the round early
        }
        String id = UUID.randomUUID().toString();
        float[] params = h > 0 ? ParamVector.read(local.model()) : null;
        Fragments.Header header = new Fragments.Header(member.settings().groupId(), FragmentKind.CONTRIBUTION, round.round(),
                io.consumer().groupMetadata().memberId(), id, local.fingerprint(), tokens, h, h > 0 ? io.reader().ranges() : List.of(), List.of());
        long bytes = 0;
        for (TrainerFragment f : Fragments.cut(header, params)) {
            byte[] value = RegistryOutage.waitOut(member.settings().groupId(), () -> io.fragments().serialize(member.topics().contributions().name(), f));
            bytes += value.length;
            io.producer().send(new ProducerRecord<>(member.topics().contributions().name(), Fragments.key(f).getBytes(StandardCharsets.UTF_8), value));
        }
        io.producer().flush();
        long sentTokens = tokens;
        member.status().update(s -> new GroupStatus.Snapshot(s.memberId(), s.partitions(), s.coordinator(), s.round(), s.innerStep(), s.groupSize(),
                s.lastRoundSeconds(), s.lastRoundBytes(), s.bytesExchanged(), s.tokensExchanged() + sentTokens, s.refused(), s.lateDropped()));
        member.listeners().forEach(l -> { if (l instanceof GroupListener g) g.contributed(id, round.round(), List.copyOf(trained)); });
        return new Sent(h == 0, bytes, System.nanoTime());
    }

    /** Live members of the group now (asked once a round; the member.status()'s figure only). */
    int groupSize() {
        try {
            return io.admin().describeConsumerGroups(List.of(member.settings().groupId())).all().get(10, java.util.concurrent.TimeUnit.SECONDS)
                    .get(member.settings().groupId()).members().size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return member.status().snapshot().groupSize();
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return member.status().snapshot().groupSize();
        }
    }

    int size;

    void publishStatus(long round, long innerStep) {
        if (innerStep == 0) size = groupSize();
        member.status().update(s -> new GroupStatus.Snapshot(io.consumer().groupMetadata().memberId(), member.membership().ownedPartitions(), role.active(), round,
                innerStep, Math.max(size, 1), s.lastRoundSeconds(), s.lastRoundBytes(), s.bytesExchanged(), s.tokensExchanged(),
                role.active() ? role.refused() : s.refused(), role.active() ? role.lateDropped() : s.lateDropped()));
    }

    private static boolean allFinite(float[] v) {
        for (float x : v) if (!Float.isFinite(x)) return false;
        return true;
    }
}
