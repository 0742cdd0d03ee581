package dev.streamparrot.model.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The decoding loop: one batch of rows goes through the model in lock-step; each row samples
 * its next token, turns it into text, watches for stop sequences and finishes on its own.
 */
public final class Generator {

    /**
     * What one row produced in one step.
     *
     * @param text     newly released text (may be empty while a character or a possible stop string is held back)
     * @param logprobs null unless log-probabilities were requested
     * @param finish   null until the row's last step
     */
    public record Step(int row, int token, TokenLogprobs logprobs, String text, FinishReason finish) {}

    /** A finished row: its text (stop sequence excluded) and every sampled token, the end-of-text one included. */
    public record Sequence(String text, List<Integer> tokens, List<TokenLogprobs> logprobs, FinishReason finish) {}

    private final LanguageModel model;
    private final TextCodec codec;

    public Generator(LanguageModel model, TextCodec codec) {
        this.model = model;
        this.codec = codec;
    }

    /**
     * Generates one sequence per prompt, reporting every step to {@code listener} as it happens.
     * Returns early (with rows unfinished, finish reason null) if cancelled.
     */
    public List<Sequence> generate(List<int[]> prompts, GenerationParams params, Cancellation cancellation,
                                   Consumer<Step> listener) {
        try (Decoding decoding = start(prompts, params, listener)) {
            while (!cancellation.isCancelled() && decoding.step()) {
                // each step reports to the listener
            }
            return decoding.sequences();
        }
    }

    /**
     * Opens a decoding that a caller advances one token at a time with {@link Decoding#step()}:
     * a scheduler interleaves the steps of many decodings so requests join and leave at step boundaries.
     */
    public Decoding start(List<int[]> prompts, GenerationParams params, Consumer<Step> listener) {
        return new Decoding(prompts, params, listener);
    }

    /** One batch of rows in flight; owns the model's cache until closed. */
    public final class Decoding implements AutoCloseable {
        private final GenerationParams params;
        private final Consumer<Step> listener;
        private final List<Row> rows = new ArrayList<>();
        private final OptionalInt endOfText = codec.endOfText();
        private final LanguageModel.Batch batch;
        private final int[] next;
        private int step;
        private boolean done;

        private Decoding(List<int[]> prompts, GenerationParams params, Consumer<Step> listener) {
            this.params = params;
            this.listener = listener;
            SplittableRandom seeds = params.seed() != null ? new SplittableRandom(params.seed()) : new SplittableRandom();
            for (int i = 0; i < prompts.size(); i++) rows.add(new Row(new Sampler(params.sampling(), seeds.split()), params.stop()));
            this.next = new int[rows.size()];
            this.batch = model.start(prompts);
        }

        /** Samples one token for every unfinished row; returns false once every row has finished. */
        public boolean step() {
            if (done) return false;
            float[][] logits = batch.nextLogits();
            boolean lastStep = step == params.maxTokens() - 1;
            int live = 0;
            for (int r = 0; r < rows.size(); r++) {
                Row row = rows.get(r);
                if (row.finish != null) continue;
                int token = row.sampler.sample(logits[r]);
                next[r] = token;
                TokenLogprobs lp = params.logprobs() >= 0 ? TokenLogprobs.of(logits[r], token, params.logprobs()) : null;
                listener.accept(row.advance(r, token, lp, endOfText, lastStep));
                if (row.finish == null) live++;
            }
            step++;
            if (live == 0) {
                done = true;
                return false;
            }
            batch.append(next);
            return true;
        }

        /** Every row so far; unfinished rows (when stopped early) have finish reason null. */
        public List<Sequence> sequences() {
            List<Sequence> out = new ArrayList<>();
            for (Row row : rows) {
                out.add(new Sequence(row.stop.text(), List.copyOf(row.tokens), List.copyOf(row.logprobs), row.finish));
            }
            return out;
        }

        @Override
        public void close() {
            batch.close();
        }
    }

    private final class Row {
        final Sampler sampler;
        final IncrementalDecoder decoder = new IncrementalDecoder(codec);
        final StopMatcher stop;
        final List<Integer> tokens = new ArrayList<>();
        final List<TokenLogprobs> logprobs = new ArrayList<>();
        FinishReason finish;

        Row(Sampler sampler, StopSequences stopSequences) {
            this.sampler = sampler;
            this.stop = new StopMatcher(stopSequences);
        }

        Step advance(int r, int token, TokenLogprobs lp, OptionalInt endOfText, boolean lastStep) {
            tokens.add(token);
            if (lp != null) logprobs.add(lp);
            boolean endToken = endOfText.isPresent() && endOfText.getAsInt() == token;
            String text = "";
            if (!endToken) {
                text = stop.push(decoder.push(token));
            }
            if (stop.stopped()) {
                finish = FinishReason.STOP;
            } else if (endToken || lastStep) {
                text += stop.push(decoder.flush());
                if (!stop.stopped()) text += stop.flush();
                finish = endToken || stop.stopped() ? FinishReason.STOP : FinishReason.LENGTH;
            }
            return new Step(r, token, lp, text, finish);
        }
    }
}
