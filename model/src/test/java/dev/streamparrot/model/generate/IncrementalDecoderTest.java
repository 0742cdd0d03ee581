package dev.streamparrot.model.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IncrementalDecoderTest {
    private final ByteCodec codec = new ByteCodec();

    @Test
    void aCharacterSplitAcrossTokensIsEmittedWhole() {
        // "a€b" with € = E2 82 AC: the piece token carries E2 82, the byte token AC completes it
        int[] ids = {'a', ByteCodec.EURO_HEAD, 0xAC, 'b'};
        IncrementalDecoder decoder = new IncrementalDecoder(codec);
        List<String> deltas = new ArrayList<>();
        for (int id : ids) deltas.add(decoder.push(id));
        assertEquals(List.of("a", "", "\u20ac", "b"), deltas);
        assertEquals("", decoder.flush());
    }

    @Test
    void deltasAlwaysAddUpToTheFullDecodeAndNeverShowReplacementMidStream() {
        String text = "déjà vu → 日本語 😀 done";
        int[] ids = codec.encode(text);
        IncrementalDecoder decoder = new IncrementalDecoder(codec);
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            String delta = decoder.push(id);
            assertFalse(delta.contains("\uFFFD"), "emitted half a character");
            out.append(delta);
        }
        out.append(decoder.flush());
        assertEquals(text, out.toString());
    }

    @Test
    void anIncompleteCharacterAtTheEndIsFlushedAsReplacement() {
        IncrementalDecoder decoder = new IncrementalDecoder(codec);
        assertEquals("x", decoder.push('x'));
        assertEquals("", decoder.push(0xE2));
        assertEquals("\uFFFD", decoder.flush());
    }
}
