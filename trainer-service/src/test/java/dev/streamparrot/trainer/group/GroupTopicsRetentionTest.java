package dev.streamparrot.trainer.group;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.testkit.RealCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The group's topics as the broker created them carry a bounded retention: pseudo-gradients are as large as the
 * model, so keeping them forever fills the disk. The rounds (global parameters, momentum) are bounded by size, never
 * by time, so a group stopped for a week still finds its latest round.
 */
@ExtendWith(RealCluster.class)
class GroupTopicsRetentionTest {
    @Test
    void theGroupTopicsAreCreatedWithABoundedRetention() throws Exception {
        KafkaSettings kafka = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        GroupTopics topics = GroupTestKit.topics(kafka, GroupTestKit.prefix("retention"));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            for (var t : List.of(topics.contributions(), topics.coordinator())) {
                Config c = config(admin, t.name());
                assertEquals("86400000", c.get("retention.ms").value(), t.name() + ": only the open round's are read again");
                assertEquals("-1", c.get("retention.bytes").value(), t.name());
            }
            for (var t : List.of(topics.global(), topics.outer())) {
                Config c = config(admin, t.name());
                assertEquals("-1", c.get("retention.ms").value(), t.name() + ": never aged out by time");
                assertEquals(String.valueOf(2L << 30), c.get("retention.bytes").value(), t.name() + ": the newest 2 GiB of rounds");
                assertEquals(String.valueOf(256 << 20), c.get("segment.bytes").value(), t.name());
            }
            assertEquals("-1", config(admin, topics.chunks().name()).get("retention.ms").value(), "the chunks stay as they were");
        }
    }

    private static Config config(Admin admin, String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(r)).all().get().get(r);
    }
}
