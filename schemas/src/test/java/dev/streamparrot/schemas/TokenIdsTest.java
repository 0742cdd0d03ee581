package dev.streamparrot.schemas;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TokenIdsTest {
    @Test
    void choosesTheNarrowestEncoding() {
        assertEquals(TokenEncoding.UINT16_LE, TokenIds.encodingFor(32768));
        assertEquals(TokenEncoding.UINT16_LE, TokenIds.encodingFor(65536));
        assertEquals(TokenEncoding.INT32_LE, TokenIds.encodingFor(65537));
    }

    @Test
    void roundTripsBothEncodingsLittleEndian() {
        Random random = new Random(7);
        int[] small = random.ints(1000, 0, 65536).toArray();
        int[] large = random.ints(1000, 0, 200_000).toArray();
        assertArrayEquals(small, TokenIds.unpack(TokenIds.pack(small, TokenEncoding.UINT16_LE), TokenEncoding.UINT16_LE));
        assertArrayEquals(large, TokenIds.unpack(TokenIds.pack(large, TokenEncoding.INT32_LE), TokenEncoding.INT32_LE));
        var bytes = TokenIds.pack(new int[] {0x1234}, TokenEncoding.UINT16_LE);
        assertEquals(0x34, bytes.get(0));
        assertEquals(0x12, bytes.get(1));
    }

    @Test
    void refusesIdsThatDoNotFitAndRaggedBuffers() {
        assertThrows(IllegalArgumentException.class, () -> TokenIds.pack(new int[] {70000}, TokenEncoding.UINT16_LE));
        assertThrows(IllegalArgumentException.class, () -> TokenIds.pack(new int[] {-1}, TokenEncoding.INT32_LE));
        assertThrows(IllegalArgumentException.class,
                () -> TokenIds.unpack(java.nio.ByteBuffer.wrap(new byte[3]), TokenEncoding.UINT16_LE));
    }
}
