package dev.streamparrot.model.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamparrot.model.Gpt;
import dev.streamparrot.model.GptConfig;
import org.junit.jupiter.api.Test;

/** The trainer's checkpoint sample: a tiny model's greedy completion of the fixed prompt (TensorBoard's part: trainer's TfEventsWriterTest). */
class CheckpointSampleTest {
    private static final GptConfig CONFIG = GptConfig.of(ByteCodec.VOCAB, 64, 32, 2, 4).withDropout(0);

    @Test
    void aSampleIsTheGreedyCompletionOfTheWeightsNow() {
        try (Gpt a = Gpt.create(CONFIG, 1); Gpt b = Gpt.create(CONFIG, 2)) {
            CheckpointSample sample = new CheckpointSample(a, new ByteCodec());
            String first = sample.complete();
            assertFalse(first.isEmpty(), "32 tokens of a random model are some text");
            assertTrue(new ByteCodec().encode(first).length <= CheckpointSample.MAX_TOKENS, first);
            assertEquals(first, sample.complete(), "greedy: the same weights write the same sample");
            assertNotEquals(first, new CheckpointSample(b, new ByteCodec()).complete(), "other weights, another sample");
        }
    }

    @Test
    void aContextTooShortForThePromptGivesNoSample() {
        GptConfig tiny = GptConfig.of(ByteCodec.VOCAB, 8, 32, 1, 4).withDropout(0);
        try (Gpt gpt = Gpt.create(tiny, 1)) {
            assertEquals("", new CheckpointSample(gpt, new ByteCodec()).complete());
        }
    }
}
