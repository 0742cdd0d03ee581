package dev.streamparrot.inference.service;

import dev.streamparrot.model.generate.GptLanguageModel;
import dev.streamparrot.model.generate.GenerationParams;
import dev.streamparrot.inference.humaneval.HumanEvalProblem;
import dev.streamparrot.model.generate.SamplingParams;
import dev.streamparrot.model.generate.StopSequences;
import dev.streamparrot.model.generate.ByteCodec;
import dev.streamparrot.model.Gpt;
import dev.streamparrot.model.GptConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A HumanEval job's generation path (its engine on the decode loop, the real {@link Gpt} with its shared KV
 * cache) leaves no libtorch array behind: the live service once grew ~70 MB of native memory per problem.
 * Counts DJL's arrays rather than measuring RSS, so it is exact and fast.
 */
class GenerationLeakTest {

    @Test
    void problemAfterProblemTheModelHoldsTheSameArraysAsWhenIdle() {
        GptConfig config = GptConfig.of(ByteCodec.VOCAB, 128, 32, 2, 2).withDropout(0);
        // sampled (n rows that finish at different times) with stop sequences, as the job does
        GenerationParams settings = new GenerationParams(new SamplingParams(0.8, 0.95, 0), 40,
                StopSequences.CODE_FIRST_BLOCK, 1L, -1);
        try (Gpt gpt = Gpt.create(config, 5);
             DecodeLoop loop = new DecodeLoop(new InferenceMetrics(new SimpleMeterRegistry()))) {
            LoadedModel model = new LoadedModel("tiny", new GptLanguageModel(gpt), new ByteCodec(), () -> { });
            model.acquire();
            LoopCompletionEngine engine = new LoopCompletionEngine(loop, model, settings);
            int idle = gpt.liveArrays();
            for (int p = 0; p < 4; p++) {
                HumanEvalProblem problem = new HumanEvalProblem("Leak/" + p,
                        "def f" + p + "(x):\n    \"\"\"Returns x plus " + p + ".\"\"\"\n", "", "", "f" + p);
                List<String> samples = engine.complete(problem, 3);
                assertEquals(3, samples.size());
                assertEquals(idle, gpt.liveArrays(), "arrays left behind by problem " + p);
            }
            model.release();
        }
    }
}
