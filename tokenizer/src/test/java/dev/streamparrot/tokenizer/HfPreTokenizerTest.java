package dev.streamparrot.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our pre-tokenizer against HF's ByteLevel pre-tokenizer itself (Rust and its regex engine, through
 * DJL), on every code point and on random text. HF shows its pieces through a WordLevel model that
 * knows no word: each piece becomes one unknown token whose offsets are the piece's code point offsets.
 */
class HfPreTokenizerTest {
    private static final String PIECES_JSON = """
      {"version": "1.0", "truncation": null, "padding": null, "added_tokens": [], "normalizer": null,
       "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": true},
       "post_processor": null, "decoder": null,
       "model": {"type": "WordLevel", "vocab": {"[UNK]": 0}, "unk_token": "[UNK]"}}
      """;
    /** One text per this many code points under test, so that HF gets a few long texts rather than a million short ones. */
    private static final int CODE_POINTS_PER_TEXT = 8192;

    private static HuggingFaceTokenizer hf;

    @BeforeAll
    static void loadHf(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("pieces.json");
        Files.writeString(file, PIECES_JSON);
        hf = HfParityTest.hf(file);
    }

    @AfterAll
    static void closeHf() {
        hf.close();
    }

    /**
     * Every code point X, after a space, doubled, and followed by a character of the class we give X:
     * " XXa" is one piece only where HF agrees that X is a letter, " XX1" a number, " XX!" neither,
     * " XX\t" whitespace. Where we agree, the contexts of one class make one piece per code point
     * (whitespace one in all), so HF's million pieces take seconds; DJL costs some µs a piece.
     */
    @Test
    void everyCodePointIsPreTokenizedAsHfDoes() {
        List<Integer> differ = new ArrayList<>();
        int[] codePoints = java.util.stream.IntStream.rangeClosed(0, Character.MAX_CODE_POINT)
                .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE).toArray();
        List<String> texts = new ArrayList<>();
        List<int[]> textCodePoints = new ArrayList<>();
        for (int from = 0; from < codePoints.length; from += CODE_POINTS_PER_TEXT) {
            int[] part = Arrays.copyOfRange(codePoints, from, Math.min(from + CODE_POINTS_PER_TEXT, codePoints.length));
            StringBuilder text = new StringBuilder();
            for (int cp : part) text.append(contexts(cp));
            texts.add(text.toString());
            textCodePoints.add(part);
        }
        int[][] hfEnds = hfPieceEnds(texts);
        for (int t = 0; t < texts.size(); t++) {
            differ.addAll(codePointsWhereEndsDiffer(textCodePoints.get(t), hfEnds[t], ourPieceEnds(texts.get(t))));
        }
        if (!differ.isEmpty()) {
            fail(differ.size() + " of " + codePoints.length + " code points are pre-tokenized unlike HF, e.g. "
                    + differ.stream().limit(20).map(cp -> String.format("U+%04X", cp)).toList());
        }
    }

    /** The contexts of one code point; every context is the same number of code points long, so a piece end maps back to its code point. */
    private static String contexts(int cp) {
        String x = Character.toString(cp);
        String same = switch (PreTokenizer.classOf(cp)) {
            case PreTokenizer.LETTER -> "a";
            case PreTokenizer.NUMBER -> "1";
            case PreTokenizer.SPACE -> "\t";
            default -> "!";
        };
        return " " + x + x + same;
    }

    private static final int CONTEXT_LENGTH = 4; // code points in contexts(cp)

    /** The code points whose contexts hold a piece end that only one of the two tokenizers makes. */
    private static List<Integer> codePointsWhereEndsDiffer(int[] codePoints, int[] hfEnds, int[] ourEnds) {
        BitSet hfSet = new BitSet(), ourSet = new BitSet();
        for (int e : hfEnds) hfSet.set(e);
        for (int e : ourEnds) ourSet.set(e);
        hfSet.xor(ourSet);
        List<Integer> differ = new ArrayList<>();
        int last = -1;
        for (int e = hfSet.nextSetBit(0); e >= 0; e = hfSet.nextSetBit(e + 1)) {
            int index = Math.min((e - 1) / CONTEXT_LENGTH, codePoints.length - 1); // an end at a context's start belongs to the one before
            if (index >= 0 && index != last) differ.add(codePoints[index]);
            last = index;
        }
        return differ;
    }

    @Test
    void contextsHaveTheLengthTheMappingAssumes() {
        for (int cp : new int[] {'a', '1', ' ', 0x3000, 0x1F600, 0x10FFFF}) {
            assertEquals(CONTEXT_LENGTH, contexts(cp).codePointCount(0, contexts(cp).length()));
        }
    }

    /** Random strings mixing scripts, digits, whitespace, punctuation, emoji and unassigned code points. */
    @Test
    void randomTextIsPreTokenizedAndEncodedAsHfDoes(@TempDir Path dir) throws IOException {
        long seed = 11;
        Random random = new Random(seed);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 2000; i++) texts.add(randomText(random, 1 + random.nextInt(80)));
        int[][] hfEnds = hfPieceEnds(texts);
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            assertArrayEquals(hfEnds[i], ourPieceEnds(text), () -> "seed " + seed + ", pieces of " + escape(text));
        }
        Tokenizer gpt2 = TestData.gpt2();
        Path file = dir.resolve("tokenizer.json");
        gpt2.save(file);
        try (HuggingFaceTokenizer hfGpt2 = HfParityTest.hf(file)) {
            for (String text : texts.subList(0, 300)) {
                assertArrayEquals(HfParityTest.hfIds(hfGpt2, text), gpt2.encode(text), () -> "seed " + seed + ", ids of " + escape(text));
            }
        }
    }

    /**
     * HF's trainer is not in DJL, so the reference is the naive trainer of BpeTrainerTest counting the
     * words of HF's own pre-tokenizer, on Python code with names and numbers in scripts newer than
     * Java 17's Unicode (Arabic Extended-B, Kawi digits, Nag Mundari, CJK Extension H).
     */
    @Test
    void trainerLearnsTheMergesOfHfsPiecesOnLettersAndDigitsOfRecentUnicode() throws IOException {
        List<String> docs = new ArrayList<>();
        for (Path f : HfParityTest.everyNth(TestData.stdlibTrainingFiles(), 12)) docs.add(Corpus.readText(f));
        Random random = new Random(7);
        int[][] ranges = {{0x0870, 0x088E}, {0x11F50, 0x11F59}, {0x1E4D0, 0x1E4F9}, {0x31350, 0x323AF}};
        for (int line = 0; line < 800; line++) {
            int[] range = ranges[random.nextInt(ranges.length)];
            StringBuilder word = new StringBuilder();
            for (int i = 2 + random.nextInt(4); i > 0; i--) word.appendCodePoint(range[0] + random.nextInt(range[1] - range[0] + 1));
            docs.add("name_" + word + " = " + word + "(x" + word + ")  # " + word + " 12" + word + "\n");
        }
        Map<String, Long> hfWords = new HashMap<>();
        int[][] hfEnds = hfPieceEnds(docs);
        for (int d = 0; d < docs.size(); d++) {
            String doc = docs.get(d);
            int start = 0;
            for (int end : hfEnds[d]) {
                int from = doc.offsetByCodePoints(0, start), to = doc.offsetByCodePoints(from, end - start);
                hfWords.merge(ByteLevel.encode(doc.substring(from, to)), 1L, Long::sum);
                start = end;
            }
        }
        BpeTrainer.Config config = new BpeTrainer.Config(257 + 300, 0, List.of(Tokenizer.END_OF_TEXT), ByteLevel.alphabet());
        Tokenizer ours = new BpeTrainer(config, BpeTrainer.Progress.NONE, 2).train(docs.iterator());
        List<String> reference = BpeTrainerTest.naiveMerges(hfWords, config);
        for (int rank = 0; rank < Math.min(reference.size(), ours.merges().size()); rank++) {
            assertEquals(reference.get(rank), ours.merges().get(rank), "merge " + rank);
        }
        assertEquals(reference.size(), ours.merges().size());
    }

    private static final String[] RANDOM_PARTS = {
            "a", "Z", "s", "re", "'", " ", " ", "  ", "\t", "\n", "\r\n", "0", "7", "_", "(", ")", ":", "#", ".", "é", "Ж", "中",
            "한", "٣", "²", "Ⅷ", "\u00A0", "\u2003", "\u3000", "\u0085", "\u200B", "\u0301", "😀", "🐍", "𝔘", "𝟘",
            "\u0870\u0871", "\u0888", "\u1E9E", "\uFFFF", "\uD83E\uDEE8",
    };

    /** A random text; a fifth of its parts are random code points of any kind, assigned or not. */
    static String randomText(Random random, int parts) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts; i++) {
            if (random.nextInt(5) == 0) {
                int cp = random.nextInt(4) == 0 ? random.nextInt(Character.MAX_CODE_POINT + 1) : random.nextInt(0x32000);
                if (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE) sb.appendCodePoint(cp);
            } else {
                sb.append(RANDOM_PARTS[random.nextInt(RANDOM_PARTS.length)]);
            }
        }
        return sb.toString();
    }

    /** The code point offsets where HF ends each piece of each text (one text at a time: HF's batches ran slower on a busy machine). */
    static int[][] hfPieceEnds(List<String> texts) {
        return texts.stream()
                .map(text -> Arrays.stream(hf.encode(text, false, false).getCharTokenSpans()).mapToInt(CharSpan::getEnd).toArray())
                .toArray(int[][]::new);
    }

    /** The code point offsets where we end each piece. */
    static int[] ourPieceEnds(String text) {
        List<PreTokenizer.Piece> pieces = PreTokenizer.split(text);
        int[] ends = new int[pieces.size()];
        int charEnd = 0, codePointEnd = 0;
        for (int i = 0; i < ends.length; i++) {
            codePointEnd += text.codePointCount(charEnd, pieces.get(i).end());
            charEnd = pieces.get(i).end();
            ends[i] = codePointEnd;
        }
        return ends;
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(cp -> sb.append(cp >= 0x20 && cp < 0x7F ? String.valueOf((char) cp) : String.format("\\u{%x}", cp)));
        return sb.toString();
    }
}
