package dev.streamparrot.trainer.group;

import dev.streamparrot.artifacts.Sha256;
import dev.streamparrot.model.TrainStep;
import dev.streamparrot.testkit.RealCluster;
import dev.streamparrot.trainer.checkpoint.CheckpointStore;
import dev.streamparrot.trainer.data.FakeChunkSource;
import dev.streamparrot.trainer.data.ValidationChunks;
import dev.streamparrot.trainer.loop.Trainer;
import dev.streamparrot.trainer.loop.TrainingArgs;
import dev.streamparrot.trainer.loop.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Done-when (3): a group of one member with H = 1, outer lr 1 and momentum 0 is the single trainer, bit for bit
 * (same chunks in the same order: the plain trainer with a shuffle buffer of 1 merges partitions as the member does).
 */
@ExtendWith(RealCluster.class)
class GroupOfOneTest {
    @Test
    void oneMemberWithHOneLrOneAndNoMomentumEqualsThePlainTrainerBitForBit(@TempDir Path dir) throws Exception {
        GroupTestKit.Fixture fx = GroupTestKit.fixture(dir, "one", 80, 8, 11);
        TrainingArgs args = GroupTestKit.args(8);

        // the plain trainer on the same chunks in the same partitions, in memory
        FakeChunkSource train = new FakeChunkSource(fx.topics().chunks().partitions(), 1), valid = new FakeChunkSource(1, 2);
        for (int i = 0; i < fx.chunks().size(); i++) train.append(i % fx.topics().chunks().partitions(), FakeChunkSource.chunk(GroupTestKit.TOKENIZER, fx.chunks().get(i)));
        Map<Long, TrainStep.Result> plain = new TreeMap<>();
        Trainer.Outcome outcome = new Trainer(new Trainer.Run("plain", args, null, 0),
                new Trainer.Io(train, new ValidationChunks(valid), (r, why) -> { throw new AssertionError(why); },
                        id -> Optional.of(fx.release()), new CheckpointStore(dir.resolve("plain")), a -> {}),
                List.of(new TrainingListener() {
                    @Override
                    public void updated(TrainStep.Result r, double tokensPerSecond) {
                        plain.put(r.step(), r);
                    }
                })).run();

        GroupSettings one = new GroupSettings("one-" + System.nanoTime(), 1, 1.0, 0.0, 1.0, Duration.ofSeconds(30), 1000, Duration.ofSeconds(1));
        GroupTestKit.MemberThread member = new GroupTestKit.MemberThread(fx.kafka(), one, fx.topics(),
                new GroupMember.Run("group", args, null, 0, dir.resolve("group")), fx.release(), List.of());
        member.join(Duration.ofSeconds(180));

        assertEquals(plain.keySet(), member.recorder.updates.keySet());
        for (long step : plain.keySet()) {
            TrainStep.Result a = plain.get(step), b = member.recorder.updates.get(step);
            assertEquals(a.loss(), b.loss(), "loss at step " + step);
            assertEquals(a.gradNorm(), b.gradNorm(), "gradient norm at step " + step);
            assertEquals(a.lr(), b.lr(), "learning rate at step " + step);
        }
        Path groupCheckpoint = new CheckpointStore(dir.resolve("group")).latest("group").orElseThrow();
        assertEquals(Sha256.of(outcome.checkpoint().resolve("model.safetensors")), Sha256.of(groupCheckpoint.resolve("model.safetensors")),
                "the global model after 8 rounds is the plain trainer's after 8 updates");
    }
}
