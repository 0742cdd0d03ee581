package dev.streamparrot.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class BpeTrainerTest {
    @Test
    void learnsTheSameMergesAsANaiveReferenceTrainer() throws IOException {
        List<String> docs = new ArrayList<>();
        for (Path f : HfParityTest.everyNth(TestData.stdlibTrainingFiles(), 6)) docs.add(Corpus.readText(f));
        docs.add("aaaa aaaa aaa abab abab ababab 中文中文 😀😀 \t\t\r\n");
        for (int minFrequency : new int[] {0, 5}) {
            BpeTrainer.Config config = new BpeTrainer.Config(257 + 400, minFrequency, List.of(Tokenizer.END_OF_TEXT), ByteLevel.alphabet());
            Tokenizer ours = new BpeTrainer(config, BpeTrainer.Progress.NONE, 2).train(docs.iterator());
            List<String> reference = naiveMerges(docs, config);
            assertTrue(reference.size() > 100, "reference learned " + reference.size() + " merges");
            assertEquals(reference, ours.merges());
            assertEquals(Tokenizer.END_OF_TEXT, ours.idToToken(0));
            assertEquals("!", ours.idToToken(1));
            assertEquals("Ń", ours.idToToken(256));
        }
    }

    @Test
    void stopsAtTheMinimumFrequency() {
        List<String> docs = List.of("low lower lowest low low newer newest");
        BpeTrainer.Config config = new BpeTrainer.Config(1000, 3, List.of(), ByteLevel.alphabet());
        Tokenizer t = new BpeTrainer(config, BpeTrainer.Progress.NONE).train(docs.iterator());
        assertEquals(naiveMerges(docs, config), t.merges());
        assertEquals("l o", t.merges().get(0)); // "lo" and "ow" both occur 5 times: the smaller ids win
        assertTrue(t.vocabSize() < 270, "stopped early at " + t.vocabSize());
    }

    /**
     * The obvious BPE trainer: recount every pair of every word after each merge, merge the most
     * frequent pair (ties: the smallest (left id, right id)), everywhere, left to right.
     */
    static List<String> naiveMerges(List<String> docs, BpeTrainer.Config config) {
        Map<String, Long> wordCounts = new LinkedHashMap<>();
        for (String doc : docs) {
            for (PreTokenizer.Piece p : PreTokenizer.split(doc)) wordCounts.merge(p.text(), 1L, Long::sum);
        }
        return naiveMerges(wordCounts, config);
    }

    /** The same, from words (spelled byte-level) and their counts. */
    static List<String> naiveMerges(Map<String, Long> wordCounts, BpeTrainer.Config config) {
        List<String> vocab = new ArrayList<>(config.specialTokens());
        TreeSet<Character> alphabet = new TreeSet<>();
        for (char c : config.initialAlphabet().toCharArray()) alphabet.add(c);
        for (String w : wordCounts.keySet()) for (char c : w.toCharArray()) alphabet.add(c);
        for (char c : alphabet) vocab.add(String.valueOf(c));
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) ids.put(vocab.get(i), i);
        List<List<Integer>> words = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        wordCounts.forEach((w, c) -> {
            List<Integer> symbols = new ArrayList<>();
            for (char ch : w.toCharArray()) symbols.add(ids.get(String.valueOf(ch)));
            words.add(symbols);
            counts.add(c);
        });
        List<String> merges = new ArrayList<>();
        while (vocab.size() < config.vocabSize()) {
            Map<List<Integer>, Long> pairs = new HashMap<>();
            for (int w = 0; w < words.size(); w++) {
                for (int i = 0; i + 1 < words.get(w).size(); i++) pairs.merge(words.get(w).subList(i, i + 2), counts.get(w), Long::sum);
            }
            List<Integer> best = null;
            long bestCount = 0;
            for (Map.Entry<List<Integer>, Long> e : pairs.entrySet()) {
                List<Integer> p = e.getKey();
                long c = e.getValue();
                if (c > bestCount || (c == bestCount && (p.get(0) < best.get(0) || (p.get(0).equals(best.get(0)) && p.get(1) < best.get(1))))) {
                    best = p;
                    bestCount = c;
                }
            }
            if (best == null || bestCount < 1 || bestCount < config.minFrequency()) break;
            int a = best.get(0), b = best.get(1);
            String merged = vocab.get(a) + vocab.get(b);
            if (!ids.containsKey(merged)) {
                ids.put(merged, vocab.size());
                vocab.add(merged);
            }
            merges.add(vocab.get(a) + " " + vocab.get(b));
            int id = ids.get(merged);
            for (List<Integer> word : words) {
                for (int i = 0; i + 1 < word.size(); i++) {
                    if (word.get(i) == a && word.get(i + 1) == b) {
                        word.set(i, id);
                        word.remove(i + 1);
                    }
                }
            }
        }
        return merges;
    }
}
