package dev.streamparrot.model.generate;

import dev.streamparrot.tokenizer.Tokenizer;
import java.util.OptionalInt;

/** The project's byte-level BPE {@link Tokenizer} as the generation loop's {@link TextCodec}. */
public final class TokenizerCodec implements TextCodec {
    private final Tokenizer tokenizer;

    public TokenizerCodec(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    @Override
    public int[] encode(String text) {
        return tokenizer.encode(text);
    }

    @Override
    public String decode(int[] ids) {
        return tokenizer.decode(ids);
    }

    @Override
    public OptionalInt endOfText() {
        return tokenizer.eosId() < 0 ? OptionalInt.empty() : OptionalInt.of(tokenizer.eosId());
    }
}
