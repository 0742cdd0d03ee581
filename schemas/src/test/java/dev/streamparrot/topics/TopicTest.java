package dev.streamparrot.topics;

import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.SourceFile;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A topic hands out its values' serde: Avro for the catalog's records, bytes as they are for a stage's own topics. */
class TopicTest {
    /** Never asked: building a serde does not talk to the registry. */
    private final SchemaRegistryClient registry = new SchemaRegistryClient("http://127.0.0.1:9/apis/ccompat/v7");

    @Test
    void anAvroTopicGivesAnAvroSerdeOfItsClass() {
        Serde<SourceFile> serde = Topics.SOURCE_FILES.serde(registry);
        assertEquals(SourceFile.class, assertInstanceOf(AvroSerde.class, serde).type());
        assertEquals(SourceFile.class, Topic.avro(Topics.SOURCE_FILES, registry).type());
        assertTrue(Topics.SOURCE_FILES.isAvro());
    }

    @Test
    void aBinaryTopicPassesItsBytesThrough() {
        Serde<byte[]> serde = Topics.DEDUP_BANDS.serde(registry);
        byte[] bytes = {1, 2, 3};
        assertArrayEquals(bytes, serde.deserializer().deserialize("dedup-bands", serde.serializer().serialize("dedup-bands", bytes)));
        assertFalse(Topics.DEDUP_BANDS.isAvro());
        assertThrows(IllegalStateException.class, () -> Topics.DEDUP_BANDS.avroSerde(registry));
    }

    @Test
    void everyCatalogTopicHasASerde() {
        for (Topic<?> topic : Topics.ALL) {
            assertTrue(topic.isAvro() || topic.valueType() == byte[].class, topic.name() + " carries " + topic.valueType());
            topic.serde(registry);
        }
        assertThrows(IllegalStateException.class, () -> new Topic<>("odd", 1, "delete", "-", String.class).serde(registry));
    }
}
