package dev.streamparrot.inference.service;

import dev.streamparrot.model.generate.GptLanguageModel;
import dev.streamparrot.inference.testing.Requests;
import dev.streamparrot.inference.api.CompletionRequest;
import dev.streamparrot.inference.api.CompletionResponse;
import dev.streamparrot.model.generate.ByteCodec;
import dev.streamparrot.inference.testing.FakeModel;
import dev.streamparrot.inference.testing.SlowModel;
import dev.streamparrot.model.Gpt;
import dev.streamparrot.model.GptConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Continuous batching, cancellation and hot swap on the decode loop, with the fake model. */
class DecodeLoopTest {

    private static CompletionRequest request(String body) throws Exception {
        return Requests.parse(body);
    }

    private static DecodeLoop.Job submit(DecodeLoop loop, ModelSlot slot, String body, List<CompletionResponse> chunks)
            throws Exception {
        LoadedModel model = slot.acquire().orElseThrow();
        return loop.submit(model, model.service().prepare(request(body)), chunks == null ? null : chunks::add);
    }

    @Test
    void concurrentRequestsAdvanceTogetherAndGiveWhatTheyWouldAlone() throws Exception {
        InferenceMetrics metrics = new InferenceMetrics(new SimpleMeterRegistry());
        FakeModel fake = FakeModel.noisy(512);
        ModelSlot slot = new ModelSlot(m -> metrics.swapped());
        slot.swap(new LoadedModel("fake", fake, new ByteCodec(), () -> { }));
        String[] bodies = {
                "{\"prompt\": \"a\", \"max_tokens\": 40, \"seed\": 1, \"temperature\": 0.7}",
                "{\"prompt\": \"bcd\", \"max_tokens\": 25, \"seed\": 2, \"n\": 3}",
                "{\"prompt\": \"ef\", \"max_tokens\": 30, \"seed\": 3, \"top_k\": 5}"};
        List<List<CompletionResponse.Choice>> alone = new ArrayList<>();
        for (String body : bodies) {
            LoadedModel m = slot.current().orElseThrow();
            alone.add(m.service().prepare(request(body)).run(() -> false).choices());
        }
        try (DecodeLoop loop = new DecodeLoop(metrics)) {
            List<DecodeLoop.Job> jobs = new ArrayList<>();
            for (String body : bodies) jobs.add(submit(loop, slot, body, null));
            for (int i = 0; i < jobs.size(); i++) {
                assertEquals(alone.get(i), jobs.get(i).result().get(10, TimeUnit.SECONDS).choices());
            }
            assertTrue(loop.maxBatch() >= 2, "requests submitted together run in the same passes: " + loop.maxBatch());
            assertTrue(loop.steps() < 40 + 25 + 30, "interleaved, not one after the other: " + loop.steps() + " passes");
            assertEquals(40 + 25 * 3 + 30, metrics.tokensGenerated(), 0.0);
        }
        assertEquals(0, slot.current().orElseThrow().users(), "every request released its model");
    }

    @Test
    void concurrentRequestsOnTheGptShareOneForwardPassPerStep() throws Exception {
        GptConfig config = GptConfig.of(ByteCodec.VOCAB, 64, 32, 2, 2).withDropout(0);
        String[] bodies = {
                "{\"prompt\": \"def f(x):\", \"max_tokens\": 30, \"seed\": 1, \"temperature\": 0.8}",
                "{\"prompt\": \"ab\", \"max_tokens\": 30, \"seed\": 2, \"n\": 2}",
                "{\"prompt\": [\"import os\", \"x\"], \"max_tokens\": 30, \"seed\": 3, \"top_k\": 5}",
                "{\"prompt\": \"return\", \"max_tokens\": 30, \"seed\": 4, \"top_p\": 0.9}"};
        try (Gpt gpt = Gpt.create(config, 5)) {
            List<List<CompletionResponse.Choice>> alone = new ArrayList<>();
            for (String body : bodies) {
                LoadedModel m = new LoadedModel("gpt", new GptLanguageModel(gpt), new ByteCodec(), () -> { });
                alone.add(m.service().prepare(request(body)).run(() -> false).choices());
            }
            GptLanguageModel shared = new GptLanguageModel(gpt);
            ModelSlot slot = new ModelSlot(m -> { });
            slot.swap(new LoadedModel("gpt", shared, new ByteCodec(), () -> { }));
            InferenceMetrics metrics = new InferenceMetrics(new SimpleMeterRegistry());
            try (DecodeLoop loop = new DecodeLoop(metrics)) {
                List<DecodeLoop.Job> jobs = new ArrayList<>();
                for (String body : bodies) jobs.add(submit(loop, slot, body, null));
                for (int i = 0; i < jobs.size(); i++) {
                    assertEquals(alone.get(i), jobs.get(i).result().get(60, TimeUnit.SECONDS).choices());
                }
                // one prompt pass per request, then at most one pass per step of the loop, however many are in flight
                long stepPasses = shared.forwardPasses() - bodies.length;
                assertTrue(stepPasses <= loop.steps(), stepPasses + " step passes in " + loop.steps() + " loop steps");
                assertTrue(loop.maxBatch() >= 2, "requests ran together: " + loop.maxBatch());
                assertTrue(metrics.tokensGenerated() > 2 * loop.steps(), "several requests' tokens per pass");
            }
        }
    }

    @Test
    void aCancelledRequestStopsAtTheNextStepAndReleasesItsModel() throws Exception {
        InferenceMetrics metrics = new InferenceMetrics(new SimpleMeterRegistry());
        SlowModel slow = new SlowModel(FakeModel.noisy(4096), 5);
        ModelSlot slot = new ModelSlot(m -> { });
        slot.swap(new LoadedModel("slow", slow, new ByteCodec(), () -> { }));
        try (DecodeLoop loop = new DecodeLoop(metrics)) {
            List<CompletionResponse> chunks = new CopyOnWriteArrayList<>();
            DecodeLoop.Job job = submit(loop, slot, "{\"prompt\": \"x\", \"max_tokens\": 3000, \"stream\": true}", chunks);
            while (chunks.size() < 5) Thread.sleep(5);
            job.cancel();
            assertThrows(CancellationException.class, () -> job.result().get(5, TimeUnit.SECONDS));
            int stepsAtCancel = slow.appended();
            Thread.sleep(100);
            assertEquals(stepsAtCancel, slow.appended(), "no more steps after the cancellation");
            assertTrue(stepsAtCancel < 3000);
            assertEquals(1.0, metrics.cancelledRequests(), 0.0);
            assertEquals(0, slot.current().orElseThrow().users());
        }
    }

    @Test
    void aSwappedOutModelFinishesItsRequestsAndIsFreedAfterTheLast() throws Exception {
        InferenceMetrics metrics = new InferenceMetrics(new SimpleMeterRegistry());
        ModelSlot slot = new ModelSlot(m -> metrics.swapped());
        boolean[] oldFreed = {false};
        LoadedModel old = new LoadedModel("old", new SlowModel(FakeModel.noisy(512), 2), new ByteCodec(), () -> oldFreed[0] = true);
        slot.swap(old);
        try (DecodeLoop loop = new DecodeLoop(metrics)) {
            List<CompletionResponse> chunks = new CopyOnWriteArrayList<>();
            DecodeLoop.Job running = submit(loop, slot, "{\"prompt\": \"x\", \"max_tokens\": 100, \"stream\": true}", chunks);
            while (chunks.isEmpty()) Thread.sleep(2);
            slot.swap(new LoadedModel("new", FakeModel.noisy(512), new ByteCodec(), () -> { }));
            assertFalse(oldFreed[0], "still in use by the running request");
            CompletionResponse fresh = submit(loop, slot, "{\"prompt\": \"y\", \"max_tokens\": 5}", null).result().get(5, TimeUnit.SECONDS);
            assertEquals("new", fresh.model());
            assertEquals(null, running.result().get(10, TimeUnit.SECONDS));
            assertTrue(chunks.stream().allMatch(c -> c.model().equals("old")), "the request finished on the model it started on");
            assertEquals("length", chunks.get(chunks.size() - 1).choices().get(0).finishReason());
            assertTrue(oldFreed[0], "freed after its last request");
            assertEquals(2.0, metrics.modelSwaps(), 0.0);
        }
    }
}
