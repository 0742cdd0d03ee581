package dev.streamparrot.packer.stream;

import dev.streamparrot.packer.core.Remainder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The remainder store's serde writes the bytes the store held before it had one, so old state stays valid. */
class RemainderSerdeTest {

    @Test
    void writesRemaindersOwnBytesAndReadsThemBack() {
        Remainder remainder = new Remainder(new int[] {5, 0, 65535, 70000}, List.of("owner/repo/a.py", "owner/repo/ü.py"));
        RemainderSerde serde = new RemainderSerde();
        byte[] bytes = serde.serializer().serialize("changelog", remainder);
        assertArrayEquals(remainder.toBytes(), bytes);
        assertEquals(remainder, serde.deserializer().deserialize("changelog", bytes));
        assertNull(serde.deserializer().deserialize("changelog", null), "no remainder yet: the processor starts from EMPTY");
    }
}
