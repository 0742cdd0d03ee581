package dev.streamparrot.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkCheckTest {
    private static final ChunkCheck CHECK = new ChunkCheck("tok", 4, 100);

    private static Chunk chunk(String tokenizer, TokenEncoding encoding, ByteBuffer ids) {
        return new Chunk(0L, 0, tokenizer, Split.TRAIN, encoding, ids, List.of("repo/a.py"));
    }

    private static Chunk chunk(String tokenizer, int... ids) {
        return chunk(tokenizer, TokenEncoding.INT32_LE, TokenIds.pack(ids, TokenEncoding.INT32_LE));
    }

    @Test
    void aGoodChunkDecodesToItsIds() {
        ChunkCheck.Result r = CHECK.check(chunk("tok", 0, 5, 99, 7));
        assertTrue(r.usable());
        assertNull(r.fault());
        assertArrayEquals(new int[] {0, 5, 99, 7}, r.ids());
        ChunkCheck.Result narrow = CHECK.check(chunk("tok", TokenEncoding.UINT16_LE,
                TokenIds.pack(new int[] {1, 2, 3, 4}, TokenEncoding.UINT16_LE)));
        assertArrayEquals(new int[] {1, 2, 3, 4}, narrow.ids());
    }

    @Test
    void eachFaultIsNamed() {
        assertEquals("chunk of tokenizer other, the trainer trains on tok", CHECK.check(chunk("other", 1, 2, 3, 4)).fault());
        assertEquals("chunk of 3 ids, seq_length is 4", CHECK.check(chunk("tok", 1, 2, 3)).fault());
        assertEquals("token id 500 outside the vocabulary of 100", CHECK.check(chunk("tok", 1, 500, 100, 4)).fault());
        // TokenIds.pack refuses negative ids, but another writer's int32 bytes may hold one
        ByteBuffer negative = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(-2).putInt(3).putInt(4).flip();
        assertEquals("token id -2 outside the vocabulary of 100", CHECK.check(chunk("tok", TokenEncoding.INT32_LE, negative)).fault());
        ChunkCheck.Result torn = CHECK.check(chunk("tok", TokenEncoding.UINT16_LE, ByteBuffer.wrap(new byte[7])));
        assertFalse(torn.usable());
        assertTrue(torn.fault().contains("7 bytes"), torn.fault());
    }

    @Test
    void withoutATokenizerAnyTokenizerIsAccepted() {
        assertTrue(new ChunkCheck(null, 4, 100).check(chunk("whatever", 1, 2, 3, 4)).usable());
    }
}
