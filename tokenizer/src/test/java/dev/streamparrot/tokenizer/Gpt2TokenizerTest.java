package dev.streamparrot.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Gpt2TokenizerTest {
    private final Tokenizer gpt2 = TestData.gpt2();

    @Test
    void encodesTheHelloExampleAsHf() {
        assertEquals(68, TestData.HELLO.length());
        assertEquals(List.of("def", "Ġsay", "_", "hello", "():", "Ċ", "Ġ", "Ġ", "Ġ", "Ġprint", "(\"", "Hello", ",", "ĠWorld",
                "!\"", ")", "Ġ#", "ĠPrint", "Ġit", "Ċ", "Ċ", "say", "_", "hello", "()", "Ċ"), gpt2.encodeToTokens(TestData.HELLO));
        assertEquals(TestData.HELLO, gpt2.decode(gpt2.encode(TestData.HELLO)));
    }

    @Test
    void hasGpt2sVocab() {
        assertEquals(50257, gpt2.vocabSize());
        assertEquals(50256, gpt2.eosId());
        assertEquals("<|endoftext|>", gpt2.idToToken(50256));
        assertEquals(0, gpt2.tokenToId("!"));
        assertEquals(-1, gpt2.tokenToId("not a token"));
        assertEquals(50000, gpt2.merges().size());
        assertEquals("Ġ t", gpt2.merges().get(0));
    }

    @Test
    void splitsOutTheSpecialToken() {
        int[] ids = gpt2.encode("a<|endoftext|> b<|endoftext|>");
        assertArrayEquals(new int[] {gpt2.tokenToId("a"), 50256, gpt2.tokenToId("Ġb"), 50256}, ids);
        assertEquals("a<|endoftext|> b<|endoftext|>", gpt2.decode(ids));
    }

    @Test
    void roundTripsRandomUnicodeText() {
        Random random = new Random(7);
        for (int i = 0; i < 2000; i++) {
            String text = TestData.randomText(random, random.nextInt(200));
            assertEquals(text, gpt2.decode(gpt2.encode(text)));
        }
    }

    @Test
    void roundTripsEveryStdlibFile() throws IOException {
        List<Path> files = TestData.stdlibFiles();
        assertTrue(files.size() > 500, "stdlib has " + files.size() + " .py files");
        for (Path file : files) {
            String text = Corpus.readText(file);
            assertEquals(text, gpt2.decode(gpt2.encode(text)), () -> "round trip of " + file);
        }
    }

    @Test
    void encodesTheSameOnManyThreads() throws Exception {
        List<Path> files = TestData.stdlibTrainingFiles().subList(0, 64);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 2; round++) {
                List<Future<int[]>> results = files.stream().map(f -> pool.submit(() -> gpt2.encode(Corpus.readText(f)))).toList();
                for (int i = 0; i < files.size(); i++) assertArrayEquals(gpt2.encode(Corpus.readText(files.get(i))), results.get(i).get());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void savesAndReloadsTheSameTokenizer(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        gpt2.save(file);
        Tokenizer loaded = Tokenizer.fromFile(file);
        assertEquals(gpt2.id(), loaded.id());
        assertEquals(16, gpt2.id().length());
        assertArrayEquals(gpt2.encode(TestData.HELLO), loaded.encode(TestData.HELLO));
        // merges written as ["a", "b"] pairs, as newer HF versions do, load the same
        String pairs = mutate(gpt2.toJson(), root -> {
            ArrayNode merges = (ArrayNode) root.get("model").get("merges");
            for (int i = 0; i < merges.size(); i++) {
                String[] parts = merges.get(i).asText().split(" ");
                merges.set(i, JSON.createArrayNode().add(parts[0]).add(parts[1]));
            }
        });
        assertEquals(gpt2.id(), Tokenizer.fromJson(pairs).id());
    }

    @Test
    void refusesCorruptFilesSayingWhatIsWrong(@TempDir Path dir) throws IOException {
        // a small tokenizer keeps this quick; GPT-2's own file is loaded in savesAndReloadsTheSameTokenizer
        Tokenizer small = new BpeTrainer(BpeTrainer.Config.byteLevel(300), BpeTrainer.Progress.NONE).train(List.of(TestData.HELLO).iterator());
        String json = small.toJson();
        assertEquals(small.id(), Tokenizer.fromJson(json).id());
        assertRefused(json.substring(0, json.length() / 2), "not valid JSON");
        assertRefused(mutate(json, root -> root.remove("model")), "no \"model\"");
        assertRefused(mutate(json, root -> merges(root).set(0, JSON.getNodeFactory().textNode("Ġ tzzz"))), "unknown token 'tzzz'");
        int quoteId = small.tokenToId("\"");
        assertRefused(mutate(json, root -> vocab(root).put("!", quoteId)), "duplicate id " + quoteId);
        assertRefused(mutate(json, root -> merges(root).set(0, JSON.getNodeFactory().textNode("Ġt"))), "not two tokens");
        assertRefused(mutate(json, root -> ((ObjectNode) root.get("model")).put("type", "WordPiece")), "only BPE");
        assertRefused(mutate(json, root -> vocab(root).remove("\"")), "beyond the vocab size");
        assertRefused(mutate(json, root -> ((ObjectNode) root.get("model")).remove("merges")), "no \"merges\"");

        Path encoder = dir.resolve("encoder.json"), merges = dir.resolve("vocab.bpe");
        Files.writeString(encoder, "{\"a\": 0, \"b\": ");
        Files.copy(TestData.resource("gpt2/vocab.bpe"), merges);
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> Tokenizer.fromGpt2Files(encoder, merges));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode vocab(ObjectNode root) {
        return (ObjectNode) root.get("model").get("vocab");
    }

    private static ArrayNode merges(ObjectNode root) {
        return (ArrayNode) root.get("model").get("merges");
    }

    private static String mutate(String json, Consumer<ObjectNode> change) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(json);
        change.accept(root);
        return JSON.writeValueAsString(root);
    }

    private static void assertRefused(String json, String expected) {
        TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> Tokenizer.fromJson(json));
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' should say " + expected);
    }
}
