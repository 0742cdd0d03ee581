package dev.streamparrot.trainer.loop;

import ai.djl.Device;
import dev.streamparrot.artifacts.Sha256;
import dev.streamparrot.model.Gpt;
import dev.streamparrot.model.TrainStep;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.trainer.checkpoint.CheckpointStore;
import dev.streamparrot.trainer.checkpoint.CheckpointState;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        return train(runId, store, tokenizerJson, stopAt, ARGS, log(3, 60, 1), step -> {});
    }

    /** @param afterUpdate runs after each update with its step, before the next batch is drawn */
    static Recorded train(String runId, Path store, Path tokenizerJson, long stopAt, TrainingArgs args, FakeChunkSource train,
                          java.util.function.LongConsumer afterUpdate) throws Exception {
        FakeChunkSource valid = log(1, 12, 2);
        Map<Long, TrainStep.Result> updates = new TreeMap<>();
        List<CheckpointAnnouncement> announcements = new ArrayList<>();
        TokenizerRelease release = new TokenizerRelease("tok", VOCAB, VOCAB - 1, tokenizerJson.toUri().toString(), dev.streamparrot.artifacts.Sha256.of(tokenizerJson), 0L, 0L, "", Instant.now());
        Trainer[] trainer = new Trainer[1];
        TrainingListener recorder = new TrainingListener() {
            @Override
            public void updated(TrainStep.Result r, double tokensPerSecond) {
                updates.put(r.step(), r);
                afterUpdate.accept(r.step());
                if (r.step() == stopAt) trainer[0].requestStop();
            }
        };
        trainer[0] = new Trainer(new Trainer.Run(runId, args, null, 0, Device.cpu()),
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
        assertSameUpdates(whole, second, 11, 30);
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
        // announced where it was published (the store's copy, complete with its manifest), not the working copy
        assertEquals(dir.resolve("store/published/checkpoints/run/step-00000012").toAbsolutePath(), ckpt);
        assertTrue(Files.isRegularFile(ckpt.resolve(dev.streamparrot.artifacts.ArtifactStore.MANIFEST_FILE)));
        assertTrue(Files.isDirectory(dir.resolve("store/run/step-00000012")), "the working copy a restart resumes from");
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
        CheckpointState state = CheckpointState.read(ckpt);
        assertEquals(12, state.step());
        assertEquals(ARGS.toMap(), state.args());
        assertTrue(Files.readString(ckpt.resolve("config.json")).contains("\"vocab_size\": 64"));
        try (Gpt model = Gpt.load(ckpt)) {
            assertEquals(64, model.config().vocabSize());
            assertEquals(63, model.config().eosTokenId());
        }
    }

    /** Fresh data first, endless-style wsd: checkpoints every 5 updates, each from a 3-update decay branch. */
    static final TrainingArgs FRESH = ARGS.with(Map.of("dataset", "fresh-replay", "fresh_fraction", "0.5",
            "lr_scheduler_type", "wsd", "decay_steps", "3", "save_checkpoint_steps", "5"));

    /** 24 chunks at first; 18 more arrive after update 10 (at 4 fresh samples per update, the first ones are trained by then). */
    static final int FIRST = 24, LATER = 18;

    static void arrive(FakeChunkSource source) {
        FakeChunkSource more = log(3, FIRST + LATER, 1);
        for (int p = 0; p < 3; p++) {
            for (long o = FIRST / 3; o < (FIRST + LATER) / 3; o++) source.append(p, more.chunkAt(p, o));
        }
    }

    @Test
    void aResumedFreshReplayRunContinuesExactlyWithChunksArrivingBetweenRuns(@TempDir Path dir) throws Exception {
        Path tokenizerJson = dir.resolve("tokenizer.json");
        Files.writeString(tokenizerJson, "{}\n");
        FakeChunkSource wholeLog = log(3, FIRST, 1);
        Recorded whole = train("whole", dir.resolve("store"), tokenizerJson, -1, FRESH, wholeLog, step -> {
            if (step == 10) arrive(wholeLog);
        });
        assertEquals(30, whole.outcome().step());

        Recorded first = train("split", dir.resolve("store"), tokenizerJson, 10, FRESH, log(3, FIRST, 1), step -> {});
        assertEquals(10, first.outcome().step());
        FakeChunkSource later = log(3, FIRST, 1);
        arrive(later);
        Recorded second = train("split", dir.resolve("store"), tokenizerJson, -1, FRESH, later, step -> {});
        assertEquals(20, second.updates().size(), "resumed at 11");
        assertSameUpdates(whole, second, 11, 30);
        CheckpointAnnouncement last = second.announcements().get(second.announcements().size() - 1);
        assertEquals(whole.announcements().get(whole.announcements().size() - 1).getSha256(), last.getSha256(), "same served weights");
        // 4 fresh samples per update: the 18 that arrived after update 10 are trained by update 15
        CheckpointAnnouncement at15 = second.announcements().stream().filter(a -> a.getStep() == 15).findFirst().orElseThrow();
        assertEquals(List.of(14L, 14L, 14L), at15.getFrontier().stream().map(f -> f.getOffset()).toList());
        assertEquals((15 + 3) * FRESH.tokensPerUpdate(), at15.getTokensTrained());
    }

    @Test
    void decayBranchesLeaveTheMainLineAsItWas(@TempDir Path dir) throws Exception {
        Path tokenizerJson = dir.resolve("tokenizer.json");
        Files.writeString(tokenizerJson, "{}\n");
        TrainingArgs onlyAtTheEnd = FRESH.with(Map.of("save_checkpoint_steps", "1000"));
        Recorded branched = train("branched", dir.resolve("store"), tokenizerJson, -1, FRESH, log(3, 60, 1), step -> {});
        Recorded plain = train("plain", dir.resolve("store"), tokenizerJson, -1, onlyAtTheEnd, log(3, 60, 1), step -> {});
        assertEquals(List.of(5L, 10L, 15L, 20L, 25L, 30L), branched.announcements().stream().map(CheckpointAnnouncement::getStep).toList());
        assertEquals(List.of(30L), plain.announcements().stream().map(CheckpointAnnouncement::getStep).toList());
        assertEquals(30, plain.updates().size());
        for (long step = 1; step <= 30; step++) {
            TrainStep.Result a = branched.updates().get(step), b = plain.updates().get(step);
            assertEquals(a, b, "update " + step + " bit for bit");
        }
        Path branchedDir = dir.resolve("store/branched/step-00000030"), plainDir = dir.resolve("store/plain/step-00000030");
        assertArrayEquals(Files.readAllBytes(plainDir.resolve("main/model.safetensors")),
                Files.readAllBytes(branchedDir.resolve("main/model.safetensors")), "main line weights");
        assertArrayEquals(Files.readAllBytes(plainDir.resolve("optimizer.safetensors")),
                Files.readAllBytes(branchedDir.resolve("optimizer.safetensors")), "main line optimizer state");
        assertEquals(plain.announcements().get(0).getSha256(), branched.announcements().get(5).getSha256(), "the same final branch");
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(branchedDir.resolve("main/model.safetensors")),
                Files.readAllBytes(branchedDir.resolve("model.safetensors"))), "the served weights are the decayed branch's");
        assertEquals(FRESH.learningRate(), branched.updates().get(30L).lr(), "the main line stays at the peak rate");
        assertNotNull(branched.announcements().get(5).getEvalLoss(), "the branch is evaluated");
    }

    /** The resumed run's updates {@code from..to} are the uninterrupted run's, bit for bit. */
    private static void assertSameUpdates(Recorded whole, Recorded resumed, long from, long to) {
        for (long step = from; step <= to; step++) {
            TrainStep.Result a = whole.updates().get(step), b = resumed.updates().get(step);
            assertEquals(a.loss(), b.loss(), "loss at step " + step);
            assertEquals(a.lr(), b.lr(), "learning rate at step " + step);
            assertEquals(a.gradNorm(), b.gradNorm(), "gradient norm at step " + step);
        }
    }
}
