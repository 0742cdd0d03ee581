package dev.streamparrot.trainer.group;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A member's side of the coordinator role: it takes the role when the rebalance gives it trainer-coordinator-0
 * (building a {@link Coordinator} from the committed state), drops it when the partition leaves, lets the
 * coordinator close rounds, reports each closed round to the global model's listeners, and checkpoints the global
 * model every K rounds and at the end ({@link GlobalCheckpoint}).
 */
final class CoordinatorRole implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorRole.class);

    private final GroupSettings settings;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Membership membership;
    private final GlobalCheckpoint checkpoint;
    private final Supplier<Coordinator> newCoordinator;
    private Coordinator coordinator; // null while another member holds the role
    private long roundsClosed, lastCheckpointRound = -1;

    /** @param newCoordinator takes the role from the committed state (fencing any earlier coordinator) */
    CoordinatorRole(GroupSettings settings, KafkaConsumer<byte[], byte[]> consumer, Membership membership, GlobalCheckpoint checkpoint,
                    Supplier<Coordinator> newCoordinator) {
        this.settings = settings;
        this.consumer = consumer;
        this.membership = membership;
        this.checkpoint = checkpoint;
        this.newCoordinator = newCoordinator;
    }

    /** Whether this member coordinates now. */
    boolean active() {
        return coordinator != null;
    }

    int refused() {
        return coordinator.refused();
    }

    int lateDropped() {
        return coordinator.lateDropped();
    }

    /** Takes or drops the coordinator role as the rebalance decided. */
    void sync() {
        if (membership.takeCoordinatorLost() && coordinator != null) {
            LOG.info("trainer group {}: no longer the coordinator", settings.groupId());
            coordinator.close();
            coordinator = null;
        }
        if (membership.takeCoordinatorGained() && coordinator == null) {
            try {
                coordinator = newCoordinator.get();
                LOG.info("trainer group {}: this member coordinates", settings.groupId());
            } catch (RuntimeException e) {
                LOG.warn("trainer group {}: cannot take the coordinator role yet: {}", settings.groupId(), e.toString());
                membership.retakeCoordinator(true); // tried again at the next sync
            }
        }
    }

    /** Lets the coordinator read contributions for a while and close the round if it can; {@code tokensBefore}: the round's start. */
    void coordinate(long tokensBefore) {
        try {
            coordinator.collect(Duration.ofMillis(200), consumer.groupMetadata()).ifPresent(c -> closed(c, tokensBefore));
        } catch (RuntimeException e) {
            // fenced by a newer coordinator, or a rebalance moved the generation: the committed state is intact
            LOG.warn("trainer group {}: round not closed ({}); the role is taken again from the committed state", settings.groupId(), e.toString());
            coordinator.close();
            coordinator = null;
            membership.retakeCoordinator(consumer.assignment().contains(membership.coordinatorPartition()));
        }
    }

    private void closed(Coordinator.Closed c, long tokensBefore) {
        roundsClosed++;
        LOG.info("trainer group {}: round {} closed in {} s: {} contributions averaged, {} refused, {} late; {} inner steps, {} tokens",
                settings.groupId(), c.next().round() - 1, String.format("%.1f", c.seconds()), c.accepted(), c.refused(), c.late(),
                c.next().innerSteps(), c.next().tokens());
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("group/round_seconds", c.seconds());
        s.put("group/members", (double) c.accepted());
        s.put("group/bytes_per_token", (double) (c.bytesIn() + c.bytesOut()) / Math.max(1, c.next().tokens() - tokensBefore));
        s.put("group/round", (double) c.next().round());
        checkpoint.globalListeners().forEach(l -> l.scalars(c.next().innerSteps(), s));
        if (settings.checkpointed(c.next().round(), c.next().innerSteps(), checkpoint.run().args().maxTrainSteps())) write(c.next());
    }

    /** At the end the coordinator checkpoints the last global round, unless it did already or closed no round. */
    void finish() {
        if (coordinator == null) return;
        Coordinator.State s = coordinator.state();
        if (roundsClosed > 0 && lastCheckpointRound != s.round()) write(s);
    }

    private void write(Coordinator.State s) {
        checkpoint.write(s, GroupMember.TORCH);
        lastCheckpointRound = s.round();
    }

    @Override
    public void close() {
        if (coordinator != null) coordinator.close();
    }
}
