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

    /** The co-partitioned topics differ: a deployment error that waiting does not fix. */
    static final class PartitionMismatch extends IllegalStateException {
        PartitionMismatch(String message) {
            super(message);
        }
    }

    DedupTopics {
        if (candidatePartitions < 1 || bandPartitions < 1) throw new IllegalArgumentException("partitions must be at least 1");
    }

    /** The catalog's partition counts, for tests without a broker. */
    static DedupTopics catalog() {
        return new DedupTopics(Topics.INGEST_CANDIDATES.name(), Topics.INGEST_CANDIDATES.partitions(), Topics.DEDUP_BANDS.name(),
                Topics.DEDUP_BANDS.partitions(), Topics.DEDUP_VERDICTS.name(), Topics.SOURCE_FILES.name(), Topics.REJECTED_FILES.name());
    }

    /**
     * The topics as the broker has them (a deployment may have scaled the catalog's counts).
     *
     * @throws PartitionMismatch when ingest-candidates and dedup-verdicts differ
     * @throws IllegalStateException when they cannot be described (no broker yet, no topics yet)
     */
    static DedupTopics described(String bootstrapServers) {
        DedupTopics catalog = catalog();
        List<String> names = List.of(catalog.candidates(), catalog.bands(), catalog.verdicts());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Map<String, TopicDescription> topics = admin.describeTopics(names).allTopicNames().get();
            int candidates = topics.get(names.get(0)).partitions().size();
            int bands = topics.get(names.get(1)).partitions().size();
            int verdicts = topics.get(names.get(2)).partitions().size();
            if (candidates != verdicts) {
                throw new PartitionMismatch(names.get(0) + " has " + candidates + " partition(s) and " + names.get(2) + " has "
                        + verdicts + ": the dedup stage needs them equal (both keyed by content hash, one task owns a file's "
                        + "candidate and its verdicts). A cluster made before the dedup stage had partitions: start from empty "
                        + "topics (locally: ./streamparrot stop, rm -r .local), or add partitions to the smaller one and reset "
                        + "the ingest-dedup application (kafka-streams-application-reset)");
            }
            return new DedupTopics(catalog.candidates(), candidates, catalog.bands(), bands, catalog.verdicts(), catalog.files(),
                    catalog.rejected());
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot describe the dedup topics " + names + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
