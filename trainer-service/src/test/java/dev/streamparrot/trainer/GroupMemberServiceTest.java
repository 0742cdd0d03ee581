package dev.streamparrot.trainer;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.topics.Topics;
import dev.streamparrot.trainer.data.FakeChunkSource;
import dev.streamparrot.trainer.logging.TfEventsReader;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service as a group member (Micronaut shell, real broker and registry): {@code GET /trainer/status} shows the
 * member's id, the partitions it owns (all of chunks-train: it is alone), its round and inner step, the group's size,
 * the last round's duration and bytes; {@code /prometheus} has the same figures as gauges; TensorBoard has the
 * member's scalars per inner step and the global model's per round.
 */
@ExtendWith(RealCluster.class)
class GroupMemberServiceTest {
    private static final int SEQ = 32, VOCAB = 64;

    @Test
    void aMemberShowsItsGroupInStatusPrometheusAndTensorBoard(@TempDir Path dir) throws Exception {
        KafkaSettings kafka = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        TopicAdmin.ensure(kafka.bootstrapServers(), Topics.ALL, (short) 1);
        String tokenizer = "group-status-" + System.nanoTime();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            emptyChunkTopics(admin); // the service reads the catalog's chunk topics: only this test's chunks may be there
            writeChunks(kafka, tokenizer);
            try {
                String runId = "group-status-" + System.nanoTime(), groupId = "status-" + System.nanoTime();
                Map<String, Object> config = new HashMap<>(Map.of("micronaut.server.port", -1,
                        "streamparrot.kafka.bootstrap-servers", kafka.bootstrapServers(), "streamparrot.schema-registry.url", kafka.schemaRegistryUrl()));
                Map.ofEntries(Map.entry("enabled", true), Map.entry("profile", "cpu-tiny"), Map.entry("run-id", runId),
                        Map.entry("checkpoint-dir", dir.resolve("checkpoints").toString()), Map.entry("log-dir", dir.resolve("runs").toString()),
                        Map.entry("tokenizer-id", tokenizer), Map.entry("vocab-size", VOCAB), Map.entry("seq-length", SEQ),
                        Map.entry("train-batch-size", 4), Map.entry("valid-batch-size", 4), Map.entry("max-eval-steps", 2),
                        Map.entry("max-train-steps", 6), Map.entry("log-interval", 1), Map.entry("group-id", groupId),
                        Map.entry("group-member", "m0"), Map.entry("group-inner-steps", 2), Map.entry("group-checkpoint-rounds", 2),
                        Map.entry("group-data-wait", 1)).forEach((key, value) -> config.put("streamparrot.trainer." + key, value));
                Map<String, Object> status, group;
                String metrics;
                try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, config)) {
                    HttpClient http = HttpClient.newHttpClient();
                    long deadline = System.currentTimeMillis() + 120_000;
                    do {
                        Thread.sleep(300);
                        status = new ObjectMapper().readValue(TrainOnTheRealClusterTest.get(http, server.getURL() + "/trainer/status"), Map.class);
                    } while (!"finished".equals(status.get("state")) && !String.valueOf(status.get("state")).startsWith("failed")
                            && System.currentTimeMillis() < deadline);
                    assertEquals("finished", status.get("state"), status.toString());
                    metrics = TrainOnTheRealClusterTest.get(http, server.getURL() + "/prometheus");
                }
                group = (Map<String, Object>) status.get("group");
                List<Integer> all = IntStream.range(0, Topics.CHUNKS_TRAIN.partitions()).boxed().toList();
                assertEquals(groupId, group.get("groupId"));
                assertTrue(String.valueOf(group.get("memberId")).length() > 10, "the consumer-group member id: " + group);
                assertEquals(all, group.get("partitions"), "alone, the member owns every chunks-train partition");
                assertEquals(2, ((Number) group.get("round")).intValue(), "the last round it trained (rounds 0, 1, 2 of 2 steps): " + group);
                assertEquals(2, ((Number) group.get("innerStep")).intValue(), group.toString());
                assertEquals(1, ((Number) group.get("groupSize")).intValue());
                assertTrue(((Number) group.get("lastRoundSeconds")).doubleValue() > 0, group.toString());
                long lastRoundBytes = ((Number) group.get("lastRoundBytes")).longValue(), exchanged = ((Number) group.get("bytesExchanged")).longValue();
                assertTrue(lastRoundBytes > 4L * 1000 && exchanged >= 3 * lastRoundBytes / 2, "a round moves two parameter vectors: " + group);

                String tags = "group=\"" + groupId + "\",run=\"" + runId + "\"";
                assertEquals(2.0, gauge(metrics, "streamparrot_trainer_group_round", tags));
                assertEquals(2.0, gauge(metrics, "streamparrot_trainer_group_inner_step", tags));
                assertEquals(1.0, gauge(metrics, "streamparrot_trainer_group_size", tags));
                assertEquals(all.size(), gauge(metrics, "streamparrot_trainer_group_partitions", tags));
                assertEquals((double) lastRoundBytes, gauge(metrics, "streamparrot_trainer_group_round_bytes", tags));
                assertEquals((double) exchanged, gauge(metrics, "streamparrot_trainer_group_bytes_exchanged", tags));

                Path runLogs = dir.resolve("runs").resolve(runId);
                List<TfEventsReader.Event> member = TfEventsReader.read(eventFile(runLogs.resolve("member-m0")));
                assertEquals(Set.of(1L, 2L, 3L, 4L, 5L, 6L), steps(member, "loss/train"), "the member's loss at each inner step");
                List<TfEventsReader.Event> global = TfEventsReader.read(eventFile(runLogs.resolve("global")));
                assertEquals(Set.of(2L, 4L, 6L), steps(global, "group/round"), "the global model's figures at each round's close");
                assertTrue(global.stream().anyMatch(e -> e.scalars().containsKey("group/round") && e.scalars().get("group/round") == 3f));
                assertEquals(Set.of(4L, 6L), steps(global, "loss/eval"), "eval loss of the global model at each checkpoint");
            } finally {
                emptyChunkTopics(admin);
            }
        }
    }

    private static void writeChunks(KafkaSettings kafka, String tokenizer) throws Exception {
        AvroSerde<Chunk> serde = new AvroSerde<>(Chunk.class, new SchemaRegistryClient(kafka.schemaRegistryUrl()));
        Random r = new Random(1);
        try (var producer = new KafkaProducer<byte[], byte[]>(kafka.producer("group-status-chunks"))) {
            for (int i = 0; i < 48; i++) {
                String t = i < 40 ? Topics.CHUNKS_TRAIN.name() : Topics.CHUNKS_VALID.name();
                int partition = i < 40 ? i % Topics.CHUNKS_TRAIN.partitions() : 0;
                int[] ids = r.ints(SEQ, 0, VOCAB).toArray();
                producer.send(new ProducerRecord<>(t, partition, null, serde.serialize(t, FakeChunkSource.chunk(tokenizer, ids))));
            }
            producer.flush();
        }
    }

    private static void emptyChunkTopics(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
        for (var t : List.of(Topics.CHUNKS_TRAIN, Topics.CHUNKS_VALID)) {
            for (int p = 0; p < t.partitions(); p++) ends.put(new TopicPartition(t.name(), p), OffsetSpec.latest());
        }
        Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
        admin.listOffsets(ends).all().get().forEach((tp, o) -> delete.put(tp, RecordsToDelete.beforeOffset(o.offset())));
        admin.deleteRecords(delete).all().get();
    }

    private static double gauge(String metrics, String name, String tags) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + "{" + tags + "}") + " (\\S+)$").matcher(metrics);
        assertTrue(m.find(), name + "{" + tags + "} in\n" + metrics.lines().filter(l -> l.contains("group")).toList());
        return Double.parseDouble(m.group(1));
    }

    private static Path eventFile(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("events.out.tfevents.")).findFirst().orElseThrow();
        }
    }

    private static Set<Long> steps(List<TfEventsReader.Event> events, String scalar) {
        Set<Long> steps = new TreeSet<>();
        for (TfEventsReader.Event e : events) if (e.scalars().containsKey(scalar)) steps.add(e.step());
        return steps;
    }
}
