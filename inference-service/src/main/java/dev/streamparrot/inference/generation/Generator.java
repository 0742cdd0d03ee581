package dev.streamparrot.inference.generation;

import dev.streamparrot.inference.sampling.FinishReason;
import dev.streamparrot.inference.sampling.Sampler;
import dev.streamparrot.inference.sampling.StopMatcher;
import dev.streamparrot.inference.sampling.StopSequences;
import dev.streamparrot.inference.sampling.TokenLogprobs;
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
        SplittableRandom seeds = new SplittableRandom(params.seed());
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) rows.add(new Row(new Sampler(params.sampling(), seeds.split()), params.stop()));
        OptionalInt endOfText = codec.endOfText();
        try (LanguageModel.Batch batch = model.start(prompts)) {
            int[] next = new int[rows.size()];
            for (int step = 0; step < params.maxTokens() && !cancellation.isCancelled(); step++) {
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
                if (live == 0) break;
                batch.append(next);
            }
        }
        List<Sequence> out = new ArrayList<>();
        for (Row row : rows) {
            out.add(new Sequence(row.stop.text(), List.copyOf(row.tokens), List.copyOf(row.logprobs), row.finish));
        }
        return out;
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
