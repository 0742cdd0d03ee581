package dev.streamparrot.tokenizer;

import dev.streamparrot.artifacts.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A GPT-2 style byte-level BPE tokenizer, as HF tokenizers runs it: special tokens are split out,
 * the rest is cut by the {@link PreTokenizer}, each piece's UTF-8 bytes are spelled with
 * {@link ByteLevel} characters and merged by the BPE model; decoding concatenates the tokens' bytes.
 *
 * <p>Immutable and thread-safe: any number of threads may encode at once.
 */
public final class Tokenizer {
    public static final String END_OF_TEXT = "<|endoftext|>";

    private final BpeModel model;
    private final AddedTokens added;
    private final Decoder decoder;
    private final int eosId;
    private volatile String json; // canonical tokenizer.json, built on first use

    Tokenizer(BpeModel model, List<String> specialTokens) {
        this.model = model;
        int[] ids = new int[specialTokens.size()];
        for (int k = 0; k < ids.length; k++) {
            ids[k] = model.id(specialTokens.get(k));
            if (ids[k] < 0) throw new IllegalArgumentException("special token '" + specialTokens.get(k) + "' is not in the vocab");
        }
        this.added = new AddedTokens(specialTokens, ids);
        this.decoder = new Decoder(model, added);
        int eos = model.id(END_OF_TEXT);
        this.eosId = eos >= 0 && specialTokens.contains(END_OF_TEXT) ? eos : (ids.length > 0 ? ids[0] : -1);
    }

    /** Loads GPT-2's own files: {@code encoder.json} (token → id) and {@code vocab.bpe} (merges). */
    public static Tokenizer fromGpt2Files(Path encoderJson, Path vocabBpe) throws IOException {
        return TokenizerJson.readGpt2(encoderJson, vocabBpe);
    }

    /** Loads an HF {@code tokenizer.json} with a byte-level BPE model. */
    public static Tokenizer fromFile(Path tokenizerJson) throws IOException {
        return TokenizerJson.read(Files.readString(tokenizerJson, StandardCharsets.UTF_8), tokenizerJson.toString());
    }

    /** Parses the text of an HF {@code tokenizer.json}. */
    public static Tokenizer fromJson(String json) throws TokenizerFormatException {
        return TokenizerJson.read(json, "tokenizer.json");
    }

    /** Writes a {@code tokenizer.json} that HF tokenizers and transformers load. */
    public void save(Path path) throws IOException {
        Files.writeString(path, toJson(), StandardCharsets.UTF_8);
    }

    /** This tokenizer as HF {@code tokenizer.json} text (canonical: the same tokenizer gives the same text). */
    public String toJson() {
        String j = json;
        if (j == null) json = j = TokenizerJson.write(this);
        return j;
    }

    /** A content hash: the first 16 hex digits of the SHA-256 of {@link #toJson()}. */
    public String id() {
        return Sha256.of(toJson().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }

    public int[] encode(String input) {
        char[] text = input.toCharArray();
        IntList out = new IntList(text.length / 3 + 4);
        added.split(input, new AddedTokens.Segments() {
            @Override
            public void text(int from, int to) {
                for (int i = from; i < to; ) {
                    int j = PreTokenizer.nextEnd(text, i, to);
                    model.encodePiece(text, i, j, out);
                    i = j;
                }
            }

            @Override
            public void special(int id) {
                out.add(id);
            }
        });
        return out.toArray();
    }

    /** The tokens of a text, spelled byte-level (e.g. {@code "Ġprint"}). */
    public List<String> encodeToTokens(String text) {
        int[] ids = encode(text);
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) tokens.add(model.token(id));
        return tokens;
    }

    public String decode(int[] ids) {
        return decoder.decode(ids);
    }

    public int vocabSize() {
        return model.vocabSize();
    }

    /** The id of a byte-level token, or -1 when it is not in the vocab. */
    public int tokenToId(String token) {
        return model.id(token);
    }

    public String idToToken(int id) {
        return model.token(id);
    }

    /** The id of {@code <|endoftext|>} (else the first special token), or -1 without one. */
    public int eosId() {
        return eosId;
    }

    public List<String> specialTokens() {
        return added.contents();
    }

    /** The merges in rank order, each as {@code "left right"}. */
    public List<String> merges() {
        List<String> merges = new ArrayList<>(model.mergeCount());
        for (int r = 0; r < model.mergeCount(); r++) merges.add(model.token(model.mergeLeft(r)) + " " + model.token(model.mergeRight(r)));
        return merges;
    }

    BpeModel model() {
        return model;
    }

    /** Encodes one pre-tokenized piece text[from, to) onto out (no special-token handling). */
    void encodePiece(char[] text, int from, int to, IntList out) {
        model.encodePiece(text, from, to, out);
    }

    @Override
    public String toString() {
        return "Tokenizer[vocab=" + vocabSize() + ", merges=" + model.mergeCount() + ", id=" + id() + "]";
    }
}
