package dev.streamparrot.ingest.service;

import dev.streamparrot.topics.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * The topics the dedup stage reads and writes, with the partition counts it must know: a band owner waits for
 * the progress of every candidates partition, a verdict owner for that of every bands partition.
 * ingest-candidates and dedup-verdicts are co-partitioned (both keyed by content hash; one task owns a file's
 * candidate and its verdicts), so their counts must be equal.
 */
record DedupTopics(String candidates, int candidatePartitions, String bands, int bandPartitions,
                   String verdicts, String files, String rejected) {

    DedupTopics {
        if (candidatePartitions < 1 || bandPartitions < 1) throw new IllegalArgumentException("partitions must be at least 1");
    }

    /** The catalog's names, each with {@code prefix} in front (tests run the stage on topics of their own). */
    static List<String> names(String prefix) {
        return List.of(prefix + Topics.INGEST_CANDIDATES.name(), prefix + Topics.DEDUP_BANDS.name(),
                prefix + Topics.DEDUP_VERDICTS.name(), prefix + Topics.SOURCE_FILES.name(), prefix + Topics.REJECTED_FILES.name());
    }

    /** The catalog's partition counts, for tests without a broker. */
    static DedupTopics catalog() {
        return new DedupTopics(Topics.INGEST_CANDIDATES.name(), Topics.INGEST_CANDIDATES.partitions(), Topics.DEDUP_BANDS.name(),
                Topics.DEDUP_BANDS.partitions(), Topics.DEDUP_VERDICTS.name(), Topics.SOURCE_FILES.name(), Topics.REJECTED_FILES.name());
    }

    /** The topics as the broker has them (a deployment may have scaled the catalog's counts). */
    static DedupTopics described(String bootstrapServers, String prefix) {
        List<String> names = names(prefix);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Map<String, TopicDescription> topics = admin.describeTopics(names.subList(0, 3)).allTopicNames().get();
            int candidates = topics.get(names.get(0)).partitions().size();
            int bands = topics.get(names.get(1)).partitions().size();
            int verdicts = topics.get(names.get(2)).partitions().size();
            if (candidates != verdicts) {
                throw new IllegalStateException(names.get(0) + " has " + candidates + " partition(s) and " + names.get(2) + " has "
                        + verdicts + ": the dedup stage needs them equal (both keyed by content hash, one task owns a file's "
                        + "candidate and its verdicts); add partitions to the smaller one");
            }
            return new DedupTopics(names.get(0), candidates, names.get(1), bands, names.get(2), names.get(3), names.get(4));
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot describe the dedup topics " + names.subList(0, 3) + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
