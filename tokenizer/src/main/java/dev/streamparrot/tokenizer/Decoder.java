package dev.streamparrot.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * The byte-level decoder: each token stands for a run of bytes; their concatenation is UTF-8.
 * Special tokens stand for their own text. Bytes that are not valid UTF-8 (only possible for id
 * sequences no text encodes to) become U+FFFD, as in HF.
 */
final class Decoder {
    private final byte[][] tokenBytes;

    Decoder(BpeModel model, AddedTokens added) {
        tokenBytes = new byte[model.vocabSize()][];
        for (int id = 0; id < tokenBytes.length; id++) {
            String token = model.token(id);
            boolean byteLevel = true;
            for (int i = 0; i < token.length() && byteLevel; i++) byteLevel = ByteLevel.byteOf(token.charAt(i)) >= 0;
            tokenBytes[id] = byteLevel ? ByteLevel.decode(token) : token.getBytes(StandardCharsets.UTF_8);
        }
        for (int k = 0; k < added.contents().size(); k++) {
            tokenBytes[added.id(k)] = added.contents().get(k).getBytes(StandardCharsets.UTF_8);
        }
    }

    String decode(int[] ids) {
        int n = 0;
        for (int id : ids) n += bytesOf(id).length;
        byte[] bytes = new byte[n];
        n = 0;
        for (int id : ids) {
            byte[] b = bytesOf(id);
            System.arraycopy(b, 0, bytes, n, b.length);
            n += b.length;
        }
        return ByteLevel.Utf8.decode(bytes, n);
    }

    private byte[] bytesOf(int id) {
        if (id < 0 || id >= tokenBytes.length) throw new IllegalArgumentException("unknown token id " + id + " (vocab size " + tokenBytes.length + ")");
        return tokenBytes[id];
    }
}
