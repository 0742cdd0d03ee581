package dev.streamparrot.model.generate;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalInt;

/**
 * A byte-level codec like GPT-2's without merges: ids 0..255 are bytes, a few ids above stand
 * for multi-byte pieces (so one token can hold a whole stop string, or half a character), and
 * the last id is end-of-text. Decoding bytes that end mid-character gives U+FFFD, as BPE does.
 */
public final class ByteCodec implements TextCodec {
    /** Pieces for ids 256, 257, ...: bytes, so a piece may split a UTF-8 character. */
    public static final List<byte[]> PIECES = List.of(
            "\ndef".getBytes(StandardCharsets.UTF_8),
            "ret".getBytes(StandardCharsets.UTF_8),
            new byte[] {(byte) 0xE2, (byte) 0x82}, // the first two bytes of "€"
            "urn".getBytes(StandardCharsets.UTF_8));
    public static final int NEWLINE_DEF = 256;
    public static final int RET = 257;
    public static final int EURO_HEAD = 258;
    public static final int URN = 259;
    public static final int END_OF_TEXT = 256 + PIECES.size();
    public static final int VOCAB = END_OF_TEXT + 1;

    @Override
    public int[] encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) ids[i] = bytes[i] & 0xFF;
        return ids;
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) {
            if (id < 256) out.write(id);
            else if (id < END_OF_TEXT) out.writeBytes(PIECES.get(id - 256));
            // end-of-text decodes to nothing
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public OptionalInt endOfText() {
        return OptionalInt.of(END_OF_TEXT);
    }
}
