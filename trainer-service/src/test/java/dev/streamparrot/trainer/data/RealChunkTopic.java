package dev.streamparrot.trainer.data;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.topics.Topic;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.List;

/** A new chunk topic on the test JVM's real cluster (the dead-letter topic beside it), and what writes and reads it. */
record RealChunkTopic(KafkaSettings kafka, SchemaRegistryClient registry, String name, AvroSerde<Chunk> serde) {
    static RealChunkTopic create(String prefix, int partitions) {
        KafkaSettings kafka = new KafkaSettings(RealCluster.bootstrapServers(), RealCluster.registryUrl());
        SchemaRegistryClient registry = new SchemaRegistryClient(kafka.schemaRegistryUrl());
        String name = prefix + "-" + System.nanoTime();
        TopicAdmin.ensure(kafka.bootstrapServers(),
                List.of(new Topic<>(name, partitions, "delete", "-", Chunk.class), Topics.DEAD_LETTERS), (short) 1);
        return new RealChunkTopic(kafka, registry, name, new AvroSerde<>(Chunk.class, registry));
    }

    KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(kafka.producer(name + "-writer"));
    }

    /** Writes the chunk to the partition and waits for the broker's acknowledgement. */
    void send(KafkaProducer<byte[], byte[]> producer, int partition, Chunk chunk) throws Exception {
        producer.send(new ProducerRecord<>(name, partition, null, serde.serialize(name, chunk))).get();
    }
}
