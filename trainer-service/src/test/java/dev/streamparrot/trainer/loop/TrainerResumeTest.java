package dev.streamparrot.trainer.loop;

import ai.djl.Device;
import dev.streamparrot.artifacts.Sha256;
import dev.streamparrot.model.Gpt;
import dev.streamparrot.model.TrainStep;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.trainer.checkpoint.CheckpointStore;
import dev.streamparrot.trainer.checkpoint.TrainerState;
import dev.streamparrot.trainer.data.FakeChunkSource;
import dev.streamparrot.trainer.data.ValidationChunks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trainer on in-memory logs: checkpoints, announcements, and a stopped-and-resumed run equal to an uninterrupted one. */
class TrainerResumeTest {
    static final int VOCAB = 64, SEQ = 32;

    static final TrainingArgs ARGS = TrainingArgs.profile("cpu-tiny").with(Map.ofEntries(
            Map.entry("seq_length", "32"), Map.entry("train_batch_size", "4"), Map.entry("valid_batch_size", "4"),
            Map.entry("shuffle_buffer", "16"), Map.entry("max_train_steps", "30"), Map.entry("num_warmup_steps", "5"),
            Map.entry("gradient_accumulation_steps", "2"), Map.entry("save_checkpoint_steps", "100"),
            Map.entry("eval-interval", "8"), Map.entry("log_interval", "5"), Map.entry("max_eval_steps", "2")));

    /** Sequences of a noisy counter (next id = previous + 1 mostly): learnable, and each chunk differs. */
    static FakeChunkSource log(int partitions, int chunks, long seed) {
        FakeChunkSource source = new FakeChunkSource(partitions, seed);
        Random r = new Random(seed);
        for (int c = 0; c < chunks; c++) {
            int[] ids = new int[SEQ];
            ids[0] = r.nextInt(VOCAB);
            for (int i = 1; i < SEQ; i++) ids[i] = r.nextInt(10) == 0 ? r.nextInt(VOCAB) : (ids[i - 1] + 1) % VOCAB;
            source.append(c % partitions, FakeChunkSource.chunk("tok", ids));
        }
        return source;
    }

    record Recorded(Map<Long, TrainStep.Result> updates, List<CheckpointAnnouncement> announcements, Trainer.Outcome outcome) {}

    static Recorded train(String runId, Path store, Path tokenizerJson, long stopAt) throws Exception {
        FakeChunkSource train = log(3, 60, 1), valid = log(1, 12, 2);
        Map<Long, TrainStep.Result> updates = new TreeMap<>();
        List<CheckpointAnnouncement> announcements = new ArrayList<>();
        TokenizerRelease release = new TokenizerRelease("tok", VOCAB, VOCAB - 1, tokenizerJson.toUri().toString(), "-", 0L, 0L, "", Instant.now());
        Trainer[] trainer = new Trainer[1];
        TrainingListener recorder = new TrainingListener() {
            @Override
            public void updated(TrainStep.Result r, double tokensPerSecond) {
                updates.put(r.step(), r);
                if (r.step() == stopAt) trainer[0].requestStop();
            }
        };
        trainer[0] = new Trainer(new Trainer.Run(runId, ARGS, null, 0, Device.cpu()),
                new Trainer.Io(train, new ValidationChunks(valid), (rec, why) -> { throw new AssertionError(why); },
                        id -> id.equals("tok") ? Optional.of(release) : Optional.empty(),
                        new CheckpointStore(store), announcements::add),
                List.of(recorder));
        Trainer.Outcome outcome = trainer[0].run();
        return new Recorded(updates, announcements, outcome);
    }

    @Test
    void aResumedRunContinuesExactlyAsAnUninterruptedOne(@TempDir Path dir) throws Exception {
        Path tokenizerJson = dir.resolve("tokenizer.json");
        Files.writeString(tokenizerJson, "{\"model\": {\"type\": \"BPE\"}}\n");
        Recorded whole = train("whole", dir.resolve("store"), tokenizerJson, -1);
        assertEquals(30, whole.outcome().step());
        assertEquals(30, whole.updates().size());

        Recorded first = train("split", dir.resolve("store"), tokenizerJson, 10);
        assertEquals(10, first.outcome().step(), "stopped after step 10");
        Recorded second = train("split", dir.resolve("store"), tokenizerJson, -1);
        assertEquals(30, second.outcome().step());
        assertEquals(20, second.updates().size(), "resumed at 11");
        for (long step = 11; step <= 30; step++) {
            TrainStep.Result a = whole.updates().get(step), b = second.updates().get(step);
            assertEquals(a.loss(), b.loss(), "loss at step " + step);
            assertEquals(a.lr(), b.lr(), "learning rate at step " + step);
            assertEquals(a.gradNorm(), b.gradNorm(), "gradient norm at step " + step);
        }
        assertTrue(whole.updates().get(30L).loss() < whole.updates().get(1L).loss() - 0.5,
                "it learns: " + whole.updates().get(1L).loss() + " -> " + whole.updates().get(30L).loss());
        assertEquals(whole.outcome().evalLoss(), second.outcome().evalLoss(), "same final evaluation");
    }

    @Test
    void checkpointsHoldTheModelTokenizerAndStateAndAreAnnounced(@TempDir Path dir) throws Exception {
        Path tokenizerJson = dir.resolve("tokenizer.json");
        Files.writeString(tokenizerJson, "{\"version\": \"1.0\"}\n");
        Recorded run = train("run", dir.resolve("store"), tokenizerJson, 12);
        assertEquals(1, run.announcements().size());
        CheckpointAnnouncement a = run.announcements().get(0);
        Path ckpt = Path.of(java.net.URI.create(a.getLocation()));
        assertEquals(dir.resolve("store").resolve("run").resolve("step-00000012").toAbsolutePath(), ckpt);
        assertEquals(12, a.getStep());
        assertEquals("tok", a.getTokenizerId());
        for (String f : List.of("model.safetensors", "config.json", "generation_config.json", "tokenizer.json",
                "optimizer.safetensors", "trainer_state.json", "shuffle_buffer.bin")) {
            assertTrue(Files.isRegularFile(ckpt.resolve(f)), f);
        }
        assertArrayEquals(Files.readAllBytes(tokenizerJson), Files.readAllBytes(ckpt.resolve("tokenizer.json")));
        assertEquals(Sha256.of(ckpt.resolve("model.safetensors")), a.getSha256());
        assertNotNull(a.getEvalLoss());
        assertEquals(Math.exp(a.getEvalLoss()), a.getPerplexity(), 1e-9);
        TrainerState state = TrainerState.read(ckpt);
        assertEquals(12, state.step());
        assertEquals(ARGS.toMap(), state.args());
        assertTrue(Files.readString(ckpt.resolve("config.json")).contains("\"vocab_size\": 64"));
        try (Gpt model = Gpt.load(ckpt)) {
            assertEquals(64, model.config().vocabSize());
            assertEquals(63, model.config().eosTokenId());
        }
    }
}
