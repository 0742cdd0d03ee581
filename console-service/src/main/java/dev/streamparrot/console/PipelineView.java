package dev.streamparrot.console;

import dev.streamparrot.topics.Topic;
import dev.streamparrot.topics.Topics;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The pipeline as Kafka sees it, from the Admin API alone (nothing is read): per topic its offsets and
 * bytes on disk, per consumer group its members, their partitions and the lag of each topic it reads.
 */
@Singleton
final class PipelineView {
    private final Admin admin;

    PipelineView(Admin admin) {
        this.admin = admin;
    }

    /**
     * @param records offsets between the first kept and the end; transactional writers' commit markers take
     *                offsets too, so for the exactly-once stages this is a little more than the records
     * @param bytes   the partitions' size on disk (the largest replica of each), compressed
     */
    @Serdeable
    record TopicFigures(String name, int partitions, long records, long bytes) {}

    @Serdeable
    record Member(String clientId, String host, List<String> partitions) {}

    @Serdeable
    record TopicLag(String topic, long committed, long end, long lag) {}

    @Serdeable
    record GroupFigures(String group, String state, List<Member> members, List<TopicLag> topics, long lag) {}

    @Serdeable
    record Pipeline(List<TopicFigures> topics, List<GroupFigures> groups) {}

    Pipeline read() throws ExecutionException, InterruptedException {
        List<String> names = Topics.ALL.stream().map(Topic::name).toList();
        Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get();
        List<TopicPartition> partitions = described.values().stream()
                .flatMap(d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition()))).toList();
        Map<TopicPartition, Long> first = offsets(partitions, OffsetSpec.earliest());
        Map<TopicPartition, Long> end = offsets(partitions, OffsetSpec.latest());
        Map<TopicPartition, Long> size = sizes();
        List<TopicFigures> topics = new ArrayList<>();
        for (String name : names) {
            TopicDescription d = described.get(name);
            long records = 0, bytes = 0;
            for (var p : d.partitions()) {
                TopicPartition tp = new TopicPartition(name, p.partition());
                records += end.getOrDefault(tp, 0L) - first.getOrDefault(tp, 0L);
                bytes += size.getOrDefault(tp, 0L);
            }
            topics.add(new TopicFigures(name, d.partitions().size(), records, bytes));
        }
        return new Pipeline(topics, groups(end));
    }

    private List<GroupFigures> groups(Map<TopicPartition, Long> end) throws ExecutionException, InterruptedException {
        List<String> ids = admin.listConsumerGroups().all().get().stream().map(ConsumerGroupListing::groupId).sorted().toList();
        if (ids.isEmpty()) return List.of();
        Map<String, ConsumerGroupDescription> descriptions = admin.describeConsumerGroups(ids).all().get();
        List<GroupFigures> groups = new ArrayList<>();
        for (String id : ids) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(id).partitionsToOffsetAndMetadata().get();
            Map<String, long[]> perTopic = new TreeMap<>(); // topic -> {committed, end}
            committed.forEach((tp, offset) -> {
                if (offset == null || !end.containsKey(tp)) return; // a topic outside the catalog (a changelog)
                long[] sums = perTopic.computeIfAbsent(tp.topic(), t -> new long[2]);
                sums[0] += offset.offset();
                sums[1] += end.get(tp);
            });
            List<TopicLag> lags = perTopic.entrySet().stream()
                    .map(e -> new TopicLag(e.getKey(), e.getValue()[0], e.getValue()[1], Math.max(0, e.getValue()[1] - e.getValue()[0])))
                    .toList();
            ConsumerGroupDescription d = descriptions.get(id);
            List<Member> members = d == null ? List.of() : d.members().stream()
                    .sorted(Comparator.comparing(MemberDescription::clientId))
                    .map(m -> new Member(m.clientId(), m.host(), m.assignment().topicPartitions().stream()
                            .map(TopicPartition::toString).sorted().toList()))
                    .toList();
            if (lags.isEmpty() && members.isEmpty()) continue; // nothing to show: a reader that never commits
            groups.add(new GroupFigures(id, d == null ? "unknown" : d.groupState().toString(), members, lags,
                    lags.stream().mapToLong(TopicLag::lag).sum()));
        }
        return groups;
    }

    private Map<TopicPartition, Long> offsets(List<TopicPartition> partitions, OffsetSpec spec) throws ExecutionException, InterruptedException {
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> info =
                admin.listOffsets(partitions.stream().collect(Collectors.toMap(Function.identity(), p -> spec))).all().get();
        Map<TopicPartition, Long> out = new HashMap<>();
        info.forEach((tp, i) -> out.put(tp, i.offset()));
        return out;
    }

    private Map<TopicPartition, Long> sizes() throws ExecutionException, InterruptedException {
        List<Integer> brokers = admin.describeCluster().nodes().get().stream().map(Node::id).toList();
        Map<TopicPartition, Long> out = new HashMap<>();
        for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(brokers).allDescriptions().get().values()) {
            for (LogDirDescription dir : dirs.values()) {
                dir.replicaInfos().forEach((tp, replica) -> out.merge(tp, replica.size(), Math::max));
            }
        }
        return out;
    }
}
