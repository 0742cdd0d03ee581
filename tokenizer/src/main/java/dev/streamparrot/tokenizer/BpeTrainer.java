package dev.streamparrot.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Learns a byte-level BPE tokenizer from documents with the algorithm of HF tokenizers' BpeTrainer,
 * so that the same corpus gives the same merges in the same order:
 *
 * <ol>
 *   <li>pre-tokenize every document and count the pieces ("words"); only the counts are kept;
 *   <li>vocab = special tokens, then the alphabet (seen byte characters plus the initial alphabet)
 *       sorted by code point;
 *   <li>count adjacent pairs over all words (weighted by word count), remembering which words hold
 *       each pair, and put the pairs in a max-heap ordered by count, then by the smaller (left id,
 *       right id) — HF's {@code Ord} on its {@code Merge};
 *   <li>pop the best pair (re-queueing it if its count went stale), add the merged token, merge it in
 *       the words that held it, adjust neighbouring pair counts and queue the pairs that gained;
 *       repeat until the vocab is full or the best count is below the minimum frequency.
 * </ol>
 *
 * <p>One HF quirk is kept on purpose: the merged pair's own count is not reset, and a token string
 * made a second time (say "ab"+"c" after "a"+"bc") reuses its id, so the merge list can name a pair
 * twice; as HF does when it builds the model, the later occurrence wins.
 */
public final class BpeTrainer {
    /**
     * @param vocabSize the size the vocab grows to, special tokens and alphabet included
     * @param minFrequency pairs seen fewer times are never merged (HF's default is 0)
     * @param specialTokens tokens placed first in the vocab, never split
     * @param initialAlphabet characters always in the vocab, seen or not (GPT-2: the 256 byte characters)
     */
    public record Config(int vocabSize, long minFrequency, List<String> specialTokens, String initialAlphabet) {
        public Config {
            specialTokens = List.copyOf(specialTokens);
            if (vocabSize < 1) throw new IllegalArgumentException("vocabSize must be positive");
            for (char c : ByteLevel.alphabet().toCharArray()) {
                if (initialAlphabet.indexOf(c) < 0) {
                    throw new IllegalArgumentException("initialAlphabet lacks the byte character '" + c + "': it must hold all 256 of ByteLevel.alphabet() so that any text can be encoded");
                }
            }
        }

        /** What CodeParrot does: GPT-2's byte alphabet and {@code <|endoftext|>}, min frequency 0. */
        public static Config byteLevel(int vocabSize) {
            return new Config(vocabSize, 0, List.of(Tokenizer.END_OF_TEXT), ByteLevel.alphabet());
        }
    }

    /** Told how training goes; {@code total} is -1 while unknown. Called from the training threads. */
    public interface Progress {
        Progress NONE = (phase, done, total) -> {};

        void update(String phase, long done, long total);
    }

    private final Config config;
    private final Progress progress;
    private final int threads;

    public BpeTrainer(Config config, Progress progress) {
        this(config, progress, Runtime.getRuntime().availableProcessors());
    }

    BpeTrainer(Config config, Progress progress, int threads) {
        this.config = config;
        this.progress = progress;
        this.threads = Math.max(1, threads);
    }

    /** Trains on documents (e.g. whole source files), read once. */
    public Tokenizer train(Iterator<String> documents) {
        return train(countWords(documents));
    }

    /** Phase 1, on all cores: each worker pre-tokenizes whole documents into its own counter. */
    WordCounter countWords(Iterator<String> documents) {
        WordCounter[] counters = new WordCounter[threads];
        AtomicLong done = new AtomicLong();
        RuntimeException[] failure = new RuntimeException[1];
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            WordCounter counter = counters[t] = new WordCounter();
            Thread worker = new Thread(() -> {
                try {
                    while (true) {
                        String doc;
                        synchronized (documents) {
                            if (!documents.hasNext()) return;
                            doc = documents.next();
                        }
                        counter.addDocument(doc);
                        long n = done.incrementAndGet();
                        if ((n & 63) == 0) progress.update("count words", n, -1);
                    }
                } catch (RuntimeException e) {
                    synchronized (failure) {
                        failure[0] = e;
                    }
                }
            }, "bpe-count-" + t);
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while counting words", e);
            }
        }
        if (failure[0] != null) throw failure[0];
        progress.update("count words", done.get(), done.get());
        for (int t = 1; t < threads; t++) {
            counters[0].addAll(counters[t]);
            counters[t] = null;
        }
        return counters[0];
    }

    Tokenizer train(WordCounter wordCounts) {
        // 1-2. Special tokens, then the alphabet sorted by code point.
        List<String> vocab = new ArrayList<>(config.vocabSize());
        Map<String, Integer> ids = new HashMap<>(config.vocabSize() * 2);
        for (String special : config.specialTokens()) addToken(special, vocab, ids);
        TreeSet<Character> alphabet = new TreeSet<>();
        for (char c : config.initialAlphabet().toCharArray()) alphabet.add(c);
        int wordCount = wordCounts.size(), longest = 0;
        for (int w = 0; w < wordCount; w++) longest = Math.max(longest, wordCounts.length(w));
        byte[] utf8 = new byte[3 * longest];
        boolean[] seenByte = new boolean[256];
        int total = 0;
        for (int w = 0; w < wordCount; w++) {
            int n = ByteLevel.Utf8.encode(wordCounts.arena(), wordCounts.start(w), wordCounts.start(w) + wordCounts.length(w), utf8);
            for (int i = 0; i < n; i++) seenByte[utf8[i] & 0xFF] = true;
            total += n;
        }
        for (int b = 0; b < 256; b++) if (seenByte[b]) alphabet.add(ByteLevel.charOf(b));
        for (char c : alphabet) addToken(String.valueOf(c), vocab, ids);
        int[] byteId = new int[256];
        for (int b = 0; b < 256; b++) byteId[b] = ids.get(String.valueOf(ByteLevel.charOf(b)));

        // 3. Words as symbol ids, all in one array; merging only ever shrinks a word in place.
        int[] start = new int[wordCount], length = new int[wordCount];
        long[] counts = new long[wordCount];
        int[] symbols = new int[total];
        for (int w = 0, next = 0; w < wordCount; w++) {
            int n = ByteLevel.Utf8.encode(wordCounts.arena(), wordCounts.start(w), wordCounts.start(w) + wordCounts.length(w), utf8);
            start[w] = next;
            length[w] = n;
            for (int i = 0; i < n; i++) symbols[next++] = byteId[utf8[i] & 0xFF];
            counts[w] = wordCounts.count(w);
        }
        progress.update("tokenize words", wordCount, wordCount);

        // 4. Pair counts and where each pair occurs.
        LongLongMap pairCounts = new LongLongMap(1 << 16);
        PairPositions where = new PairPositions();
        for (int w = 0; w < wordCount; w++) {
            int s = start[w];
            for (int i = 0; i + 1 < length[w]; i++) {
                long pair = LongLongMap.pair(symbols[s + i], symbols[s + i + 1]);
                pairCounts.add(pair, counts[w]);
                where.add(pair, w);
            }
            if ((w & 0xFFFF) == 0) progress.update("count pairs", w, wordCount);
        }
        progress.update("count pairs", wordCount, wordCount);
        MergeQueue queue = new MergeQueue(Math.max(16, where.size()));
        where.drainInto(queue, pairCounts);

        // 5. Merges.
        List<long[]> merges = new ArrayList<>(); // {pair, new id}
        LongLongMap delta = new LongLongMap(1024);
        WordMerger merger = new WordMerger(symbols, start, length, counts, delta, where);
        while (vocab.size() < config.vocabSize() && queue.size() > 0) {
            long pair = queue.topPair(), count = queue.topCount();
            long current = pairCounts.get(pair, 0);
            if (count != current) { // stale: HF pops it and pushes it back with the current count
                queue.recountTop(current);
                continue;
            }
            int[] words = queue.topWords();
            int size = queue.topSize();
            queue.pop();
            if (count < 1 || config.minFrequency() > count) break;
            int a = LongLongMap.left(pair), b = LongLongMap.right(pair);
            int newId = addToken(vocab.get(a) + vocab.get(b), vocab, ids);
            merges.add(new long[] {pair, newId});
            delta.clear();
            for (int i = 0; i < size; i++) merger.merge(words[i], a, b, newId);
            delta.forEach(pairCounts::add);
            where.drainInto(queue, pairCounts);
            if ((merges.size() & 63) == 0) progress.update("merges", vocab.size(), config.vocabSize());
        }
        progress.update("merges", vocab.size(), config.vocabSize());
        return build(vocab, merges);
    }

    private Tokenizer build(List<String> vocab, List<long[]> merges) {
        // A pair merged twice keeps its later rank, as HF's HashMap of merges does.
        LongLongMap lastRank = new LongLongMap(merges.size());
        for (int r = 0; r < merges.size(); r++) lastRank.put(merges.get(r)[0], r);
        IntList left = new IntList(merges.size()), right = new IntList(merges.size());
        for (int r = 0; r < merges.size(); r++) {
            long pair = merges.get(r)[0];
            if (lastRank.get(pair, -1) != r) continue;
            left.add(LongLongMap.left(pair));
            right.add(LongLongMap.right(pair));
        }
        BpeModel model = new BpeModel(vocab.toArray(String[]::new), left.toArray(), right.toArray());
        return new Tokenizer(model, config.specialTokens());
    }

    private static int addToken(String token, List<String> vocab, Map<String, Integer> ids) {
        Integer id = ids.get(token);
        if (id != null) return id;
        ids.put(token, vocab.size());
        vocab.add(token);
        return vocab.size() - 1;
    }
}
