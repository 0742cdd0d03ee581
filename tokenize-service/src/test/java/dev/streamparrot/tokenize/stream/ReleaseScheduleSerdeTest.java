package dev.streamparrot.tokenize.stream;

import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The schedule store's serde reads and writes what the store held before it had one (a string), so old state stays valid. */
class ReleaseScheduleSerdeTest {

    @Test
    void writesTheStringTheStoreHeldAndReadsItBack() {
        ReleaseSchedule schedule = ReleaseSchedule.EMPTY.update(0, 0, List.of(ReleaseScheduleTest.activation(0, "A", 0),
                ReleaseScheduleTest.activation(1, "B", 100)));
        ReleaseScheduleSerde serde = new ReleaseScheduleSerde();
        byte[] bytes = serde.serializer().serialize("changelog", schedule);
        assertArrayEquals(Serdes.String().serializer().serialize("changelog", schedule.encode()), bytes);
        assertEquals(schedule, serde.deserializer().deserialize("changelog", bytes));
        assertEquals(schedule, serde.deserializer().deserialize("changelog",
                Serdes.String().serializer().serialize("changelog", schedule.encode())), "a value written as a string");
        assertNull(serde.deserializer().deserialize("changelog", null));
    }
}
