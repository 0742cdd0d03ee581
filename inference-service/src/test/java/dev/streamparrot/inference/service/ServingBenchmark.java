package dev.streamparrot.inference.service;

import dev.streamparrot.model.generate.TokenizerCodec;
import dev.streamparrot.model.generate.GptLanguageModel;
import dev.streamparrot.inference.testing.Requests;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamparrot.inference.api.CompletionRequest;
import dev.streamparrot.inference.testing.TinyCheckpoint;
import dev.streamparrot.model.Gpt;
import dev.streamparrot.model.GptConfig;
import dev.streamparrot.model.GptCost;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Time to first token and tokens/s through the decode loop, for one stream and for 8 concurrent
 * streams, next to the bound memory bandwidth sets: decoding one token reads every weight once, so
 * one stream cannot beat (bandwidth ÷ bytes of weights) tokens/s; rows decoded in one forward pass
 * share that read. The anchor (a large array copy) is measured in the same run.
 *
 * <p>Run: {@code mvn -B -o -pl inference-service verify -Pbenchmarks -Dtest=ServingBenchmark}.
 */
@Tag("benchmark")
class ServingBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void timeToFirstTokenAndTokensPerSecond() throws Exception {
        double bandwidth = copyBandwidth();
        System.out.printf("anchor: array copy %.2f GB/s (bytes read + written per second)%n", bandwidth / 1e9);
        run("cpu-small", GptConfig.preset("cpu-small", 32768), 64, 32, bandwidth);
        run("codeparrot-small", GptConfig.preset("codeparrot-small", 32768), 24, 12, bandwidth);
        System.out.printf("anchor again: array copy %.2f GB/s%n", copyBandwidth() / 1e9);
    }

    private static void run(String name, GptConfig config, int tokensOne, int tokensEach, double bandwidth) throws Exception {
        Gpt gpt = Gpt.create(config.withDropout(0), 1);
        long weightBytes = 4L * GptCost.numParams(config);
        LoadedModel model = new LoadedModel(name, new GptLanguageModel(gpt), new TokenizerCodec(TinyCheckpoint.gpt2Tokenizer()), gpt::close);
        ModelSlot slot = new ModelSlot(m -> { });
        slot.swap(model);
        double bound = bandwidth / weightBytes;
        System.out.printf("%s: %.1fM parameters, %.0f MB of fp32 weights per token -> bound %.1f tokens/s per forward pass%n",
                name, GptCost.numParams(config) / 1e6, weightBytes / 1e6, bound);
        try (DecodeLoop loop = new DecodeLoop(new InferenceMetrics(new SimpleMeterRegistry()))) {
            measure(loop, slot, 1, tokensOne, 1);            // warm-up
            Result one = measure(loop, slot, 1, tokensOne, 1);
            Result eight = measure(loop, slot, 8, tokensEach, 1);
            Result batched = measure(loop, slot, 1, tokensEach, 8);
            System.out.printf("  1 stream:                 TTFT %6.0f ms, %6.2f tokens/s  (%.0f%% of the bound)%n",
                    one.ttftMs, one.tokensPerSecond, 100 * one.tokensPerSecond / bound);
            System.out.printf("  8 concurrent streams:     TTFT %6.0f ms (mean), %6.2f tokens/s in all, %.2f per stream%n",
                    eight.ttftMs, eight.tokensPerSecond, eight.tokensPerSecond / 8);
            System.out.printf("  1 request with n=8 rows:  TTFT %6.0f ms, %6.2f tokens/s in all (one forward pass per step)%n",
                    batched.ttftMs, batched.tokensPerSecond);
        } finally {
            slot.close();
        }
    }

    private record Result(double ttftMs, double tokensPerSecond) {}

    /** {@code streams} requests at once, each n rows of {@code tokens} tokens from a 32-token prompt. */
    private static Result measure(DecodeLoop loop, ModelSlot slot, int streams, int tokens, int n) throws Exception {
        List<DecodeLoop.Job> jobs = new ArrayList<>();
        AtomicLong firstTokens = new AtomicLong();
        AtomicInteger chunks = new AtomicInteger();
        long start = System.nanoTime();
        for (int s = 0; s < streams; s++) {
            StringBuilder prompt = new StringBuilder("[");
            for (int i = 0; i < 32; i++) prompt.append(i == 0 ? "" : ",").append(100 + 37 * i + s);
            String body = "{\"prompt\": " + prompt + "], \"max_tokens\": " + tokens + ", \"n\": " + n
                    + ", \"stream\": true, \"temperature\": 0.4, \"top_p\": 0.95, \"seed\": " + s + "}";
            LoadedModel model = slot.acquire().orElseThrow();
            boolean[] first = {true};
            jobs.add(loop.submit(model, model.service().prepare(Requests.parse(body)), chunk -> {
                chunks.incrementAndGet();
                if (first[0]) {
                    first[0] = false;
                    firstTokens.addAndGet(System.nanoTime() - start);
                }
            }));
        }
        for (DecodeLoop.Job job : jobs) job.result().get(30, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        double ttftMs = firstTokens.get() / 1e6 / streams;
        // tokens after the first one, over the time after the (mean) first token
        double decodeSeconds = seconds - ttftMs / 1e3;
        return new Result(ttftMs, (double) streams * n * (tokens - 1) / decodeSeconds);
    }

    /** Best of a few copies of a 256 MB array, counting bytes read and written. */
    private static double copyBandwidth() {
        float[] a = new float[64 << 20];
        float[] b = new float[a.length];
        java.util.Arrays.fill(a, 1f);
        double best = 0;
        for (int i = 0; i < 5; i++) {
            long t = System.nanoTime();
            System.arraycopy(a, 0, b, 0, a.length);
            best = Math.max(best, 2.0 * 4 * a.length / ((System.nanoTime() - t) / 1e9));
        }
        return best;
    }
}
