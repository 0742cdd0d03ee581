package dev.streamparrot.trainer.group;

import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * What the trainer group's rebalances gave and took from this member: its chunk partitions, whether a partition was
 * revoked during the round (which ends the round early), and the coordinator role (ownership of trainer-coordinator-0).
 * The callbacks run inside poll, on the member's thread, so plain fields suffice.
 */
final class Membership implements ConsumerRebalanceListener {
    private final String chunkTopic;
    private final TopicPartition coordinatorTp;
    private boolean revokedThisRound, becomeCoordinator, dropCoordinator;
    private List<Integer> ownedPartitions = List.of();

    Membership(GroupTopics topics) {
        this.chunkTopic = topics.chunks().name();
        this.coordinatorTp = new TopicPartition(topics.coordinator().name(), 0);
    }

    TopicPartition coordinatorPartition() {
        return coordinatorTp;
    }

    /** The chunk partitions this member owns now, in order. */
    List<Integer> ownedPartitions() {
        return ownedPartitions;
    }

    /** Starts a round: no partition revoked yet. */
    void startRound() {
        revokedThisRound = false;
    }

    boolean revokedThisRound() {
        return revokedThisRound;
    }

    /** Whether the role came to this member since the last call (the flag is cleared). */
    boolean takeCoordinatorGained() {
        boolean gained = becomeCoordinator;
        becomeCoordinator = false;
        return gained;
    }

    /** Whether the role left this member since the last call (the flag is cleared). */
    boolean takeCoordinatorLost() {
        boolean lost = dropCoordinator;
        dropCoordinator = false;
        return lost;
    }

    /** The role is to be taken again (from the committed state) at the next sync, if this member still owns it. */
    void retakeCoordinator(boolean stillOwned) {
        becomeCoordinator = stillOwned;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        lose(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        lose(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        if (partitions.contains(coordinatorTp)) becomeCoordinator = true;
        List<Integer> owned = new ArrayList<>(ownedPartitions);
        partitions.stream().filter(tp -> tp.topic().equals(chunkTopic)).forEach(tp -> owned.add(tp.partition()));
        owned.sort(Comparator.naturalOrder());
        ownedPartitions = List.copyOf(owned);
    }

    private void lose(Collection<TopicPartition> partitions) {
        if (partitions.contains(coordinatorTp)) dropCoordinator = true;
        if (partitions.stream().anyMatch(tp -> tp.topic().equals(chunkTopic))) revokedThisRound = true;
        List<Integer> owned = new ArrayList<>(ownedPartitions);
        partitions.forEach(tp -> { if (tp.topic().equals(chunkTopic)) owned.remove(Integer.valueOf(tp.partition())); });
        ownedPartitions = List.copyOf(owned);
    }
}
