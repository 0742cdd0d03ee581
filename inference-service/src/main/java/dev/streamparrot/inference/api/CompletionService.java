package dev.streamparrot.inference.api;

import dev.streamparrot.inference.api.CompletionResponse.Choice;
import dev.streamparrot.inference.api.CompletionResponse.Logprobs;
import dev.streamparrot.inference.api.CompletionResponse.Usage;
import dev.streamparrot.model.generate.Cancellation;
import dev.streamparrot.model.generate.GenerationParams;
import dev.streamparrot.model.generate.Generator;
import dev.streamparrot.model.generate.LanguageModel;
import dev.streamparrot.model.generate.TextCodec;
import dev.streamparrot.model.generate.TokenLogprobs;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;

/**
 * Serves completion requests with one model. In two phases, so HTTP can answer 400 before it
 * commits to a stream: {@link #prepare} validates and tokenizes, then the returned
 * {@link Completion} runs all at once or streams chunks. All choices of a request (n per prompt,
 * choice index = prompt index * n + sample index) decode together in one batch.
 * Not thread-safe, like the model it drives.
 */
public final class CompletionService {
    private static final SecureRandom SEEDS = new SecureRandom();

    private final LanguageModel model;
    private final TextCodec codec;
    private final String modelName;
    private final String systemFingerprint;
    private final Clock clock;

    /** @param systemFingerprint what every response names as {@code system_fingerprint} (the checkpoint's step and frontier) */
    public CompletionService(LanguageModel model, TextCodec codec, String modelName, String systemFingerprint) {
        this(model, codec, modelName, systemFingerprint, Clock.systemUTC());
    }

    CompletionService(LanguageModel model, TextCodec codec, String modelName, String systemFingerprint, Clock clock) {
        this.model = model;
        this.codec = codec;
        this.modelName = modelName;
        this.systemFingerprint = systemFingerprint;
        this.clock = clock;
    }

    public String modelName() {
        return modelName;
    }

    /** The model every request runs on, and the codec that turns its text into its tokens. */
    public LanguageModel model() {
        return model;
    }

    public TextCodec codec() {
        return codec;
    }

    /**
     * Checks that the request names this model, tokenizes the prompts and checks them against the model;
     * throws {@link ApiException}: 404 for another model, 400 if the prompts do not fit.
     */
    public Completion prepare(CompletionRequest request) {
        if (!request.asksFor(modelName)) throw ApiException.modelNotFound(request.model());
        List<int[]> promptIds = new ArrayList<>();
        List<String> promptTexts = new ArrayList<>();
        for (CompletionRequest.Prompt p : request.prompts()) {
            int[] ids = p.tokenIds() != null ? p.tokenIds() : codec.encode(p.text());
            if (ids.length == 0 && codec.endOfText().isPresent()) {
                ids = new int[] {codec.endOfText().getAsInt()}; // GPT-2 style: an empty prompt starts after end-of-text
            }
            if (ids.length == 0) throw ApiException.invalid("prompt", "prompt must not be empty.");
            for (int id : ids) {
                if (id >= model.vocabSize()) {
                    throw ApiException.invalid("prompt", "token id " + id + " is outside the vocabulary (size " + model.vocabSize() + ").");
                }
            }
            int requested = ids.length + request.maxTokens();
            if (requested > model.contextLength()) {
                throw new ApiException(400, "invalid_request_error", "This model's maximum context length is "
                        + model.contextLength() + " tokens. However, you requested " + requested + " tokens ("
                        + ids.length + " in the prompt, " + request.maxTokens() + " in the completion). "
                        + "Please reduce the length of the prompt or max_tokens.", "max_tokens", ApiException.CONTEXT_LENGTH_EXCEEDED);
            }
            promptIds.add(ids);
            promptTexts.add(p.text() != null ? p.text() : codec.decode(ids));
        }
        return new Completion(request, promptIds, promptTexts);
    }

    /** A validated request, ready to run once. */
    public final class Completion {
        private final CompletionRequest request;
        private final List<int[]> promptIds;
        private final List<String> promptTexts;
        private final String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        private final long created = clock.instant().getEpochSecond();

        private Completion(CompletionRequest request, List<int[]> promptIds, List<String> promptTexts) {
            this.request = request;
            this.promptIds = promptIds;
            this.promptTexts = promptTexts;
        }

        public int promptTokens() {
            return promptIds.stream().mapToInt(ids -> ids.length).sum();
        }

        /** Generates every choice; throws {@link CancellationException} if cancelled midway. */
        public CompletionResponse run(Cancellation cancellation) {
            try (Running running = start(null)) {
                while (!cancellation.isCancelled() && running.step()) {
                    // a whole response: nothing to report between steps
                }
                if (cancellation.isCancelled()) throw new CancellationException("client went away");
                return running.response();
            }
        }

        /**
         * Streams chunks to {@code chunks} as tokens are generated: text as it becomes final,
         * finish_reason on a choice's last chunk, then (if stream_options.include_usage) a usage
         * chunk without choices. The caller writes each as a Server-Sent Event
         * and ends with {@link CompletionResponse#SSE_DONE}. Returns quietly when cancelled.
         */
        public void stream(Cancellation cancellation, Consumer<CompletionResponse> chunks) {
            try (Running running = start(chunks)) {
                while (!cancellation.isCancelled() && running.step()) {
                    // chunks go out from inside step()
                }
            }
        }

        /**
         * Starts decoding without driving it: the caller calls {@link Running#step()} until it returns
         * false, so a scheduler can interleave many completions on one model.
         *
         * @param chunks where streamed chunks go, or null for a whole {@link Running#response()} at the end
         */
        public Running start(Consumer<CompletionResponse> chunks) {
            return new Running(chunks);
        }

        /** A completion being decoded; holds the model's cache until closed. */
        public final class Running implements AutoCloseable {
            private final Consumer<CompletionResponse> chunks;
            private final List<LogprobsBuilder> pending = new ArrayList<>();
            private final Generator.Decoding decoding;
            private int completionTokens;
            private boolean finished;

            private Running(Consumer<CompletionResponse> chunks) {
                this.chunks = chunks;
                if (chunks != null) {
                    for (int row = 0; row < promptIds.size() * request.n(); row++) {
                        LogprobsBuilder b = new LogprobsBuilder(0);
                        if (request.echo()) {
                            int prompt = row / request.n();
                            b.addPrompt(promptIds.get(prompt));
                            chunks.accept(chunk(new Choice(row, promptTexts.get(prompt), request.logprobs() >= 0 ? b.build() : null, null)));
                            b = new LogprobsBuilder(b.offset);
                        }
                        pending.add(b);
                    }
                }
                List<int[]> rows = new ArrayList<>();
                for (int[] ids : promptIds) for (int i = 0; i < request.n(); i++) rows.add(ids);
                long seed = request.seed() != null ? request.seed() : SEEDS.nextLong();
                GenerationParams params = new GenerationParams(request.sampling(), request.maxTokens(), request.stop(), seed,
                        request.logprobs());
                this.decoding = new Generator(model, codec).start(rows, params, this::onStep);
            }

            /** One token for every unfinished choice; false once all have finished (then the usage chunk, if asked for, is out). */
            public boolean step() {
                if (finished) return false;
                if (decoding.step()) return true;
                finished = true;
                if (chunks != null && request.includeUsage()) {
                    chunks.accept(new CompletionResponse(id, CompletionResponse.TEXT_COMPLETION, created, modelName, systemFingerprint, List.of(),
                            new Usage(promptTokens(), completionTokens)));
                }
                return false;
            }

            /** Tokens sampled so far, over all choices. */
            public int completionTokens() {
                return completionTokens;
            }

            /** The whole response, once {@link #step()} has returned false; else {@link CancellationException}. */
            public CompletionResponse response() {
                if (!finished) throw new CancellationException("stopped before every choice finished");
                List<Generator.Sequence> sequences = decoding.sequences();
                List<Choice> choices = new ArrayList<>();
                for (int row = 0; row < sequences.size(); row++) {
                    Generator.Sequence s = sequences.get(row);
                    int prompt = row / request.n();
                    String echo = request.echo() ? promptTexts.get(prompt) : "";
                    Logprobs logprobs = null;
                    if (request.logprobs() >= 0) {
                        LogprobsBuilder b = new LogprobsBuilder(0);
                        if (request.echo()) b.addPrompt(promptIds.get(prompt));
                        s.logprobs().forEach(b::add);
                        logprobs = b.build();
                    }
                    choices.add(new Choice(row, echo + s.text(), logprobs, s.finish().apiName()));
                }
                return new CompletionResponse(id, CompletionResponse.TEXT_COMPLETION, created, modelName, systemFingerprint, choices, new Usage(promptTokens(), completionTokens));
            }

            private void onStep(Generator.Step step) {
                completionTokens++;
                if (chunks == null) return;
                LogprobsBuilder b = pending.get(step.row());
                if (step.logprobs() != null) b.add(step.logprobs());
                if (step.text().isEmpty() && step.finish() == null) return; // nothing final yet: keep the logprobs for later
                String finish = step.finish() == null ? null : step.finish().apiName();
                chunks.accept(chunk(new Choice(step.row(), step.text(), request.logprobs() >= 0 ? b.build() : null, finish)));
                pending.set(step.row(), new LogprobsBuilder(b.offset));
            }

            @Override
            public void close() {
                decoding.close();
            }
        }

        private CompletionResponse chunk(Choice choice) {
            return new CompletionResponse(id, CompletionResponse.TEXT_COMPLETION, created, modelName, systemFingerprint, List.of(choice), null);
        }
    }

    /**
     * Collects tokens for one {@link Logprobs} object. As in vLLM, a token's text_offset is the
     * summed length of the token strings before it (echoed prompt included), so offsets stay
     * consistent with the tokens list even where a token holds half a character.
     */
    private final class LogprobsBuilder {
        final List<String> tokens = new ArrayList<>();
        final List<Double> values = new ArrayList<>();
        final List<Map<String, Double>> top = new ArrayList<>();
        final List<Integer> offsets = new ArrayList<>();
        int offset;

        LogprobsBuilder(int offset) {
            this.offset = offset;
        }

        /** Prompt tokens are echoed without log-probabilities: scoring the prompt would need its logits from the model. */
        void addPrompt(int[] ids) {
            for (int id : ids) addToken(id, null, null);
        }

        void add(TokenLogprobs lp) {
            Map<String, Double> alternatives = new LinkedHashMap<>();
            for (TokenLogprobs.Alternative a : lp.top()) alternatives.putIfAbsent(tokenText(a.token()), a.logprob());
            addToken(lp.token(), lp.logprob(), alternatives);
        }

        private void addToken(int id, Double logprob, Map<String, Double> alternatives) {
            String text = tokenText(id);
            tokens.add(text);
            values.add(logprob);
            top.add(alternatives);
            offsets.add(offset);
            offset += text.length();
        }

        Logprobs build() {
            return new Logprobs(tokens, values, top, offsets);
        }

        private String tokenText(int id) {
            return codec.decode(new int[] {id});
        }
    }
}
