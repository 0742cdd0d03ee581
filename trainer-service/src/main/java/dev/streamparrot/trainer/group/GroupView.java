package dev.streamparrot.trainer.group;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

/** What the broker knows of a trainer group, asked through the admin client: its live members and committed chunk offsets. */
final class GroupView {
    private static final Logger LOG = LoggerFactory.getLogger(GroupView.class);

    private final Admin admin;
    private final String groupId;
    private Set<String> live = Set.of();
    private long liveCheckedNanos;

    GroupView(Admin admin, String groupId) {
        this.admin = admin;
        this.groupId = groupId;
    }

    /** The consumer ids of the group's members now (asked at most once a second); empty while the group rebalances. */
    Set<String> liveMembers() {
        if (System.nanoTime() - liveCheckedNanos < 1_000_000_000L) return live;
        try {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(groupId)).all().get().get(groupId);
            live = d.groupState() == org.apache.kafka.common.GroupState.STABLE
                    ? d.members().stream().map(MemberDescription::consumerId).collect(Collectors.toUnmodifiableSet()) : Set.of();
            liveCheckedNanos = System.nanoTime();
        } catch (ExecutionException e) {
            LOG.warn("cannot describe trainer group {}: {}", groupId, e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return live;
    }

    /** The next {@link #liveMembers} asks the broker again (the group rebalanced). */
    void forgetMembers() {
        liveCheckedNanos = 0;
    }

    /** The group's committed offsets on the chunk topic, by partition. */
    Map<Integer, Long> committedChunkOffsets(String chunkTopic) {
        try {
            Map<Integer, Long> m = new TreeMap<>();
            admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get().forEach((tp, o) -> {
                if (tp.topic().equals(chunkTopic) && o != null) m.put(tp.partition(), o.offset());
            });
            return m;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the committed offsets of trainer group " + groupId, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
