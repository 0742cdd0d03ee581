package dev.streamparrot.trainer.loop;

import ai.djl.Device;
import dev.streamparrot.model.GptConfig;
import dev.streamparrot.model.GptCost;
import dev.streamparrot.model.TrainStep;
import dev.streamparrot.trainer.checkpoint.CheckpointStore;
import dev.streamparrot.trainer.data.FakeChunkSource;
import dev.streamparrot.trainer.data.ValidationChunks;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Updates per second of the whole loop (dataset, shuffle, TrainStep) for the CPU profiles at a 32768-token
 * vocabulary, i.e. how long the service's default run takes on this machine. Prints tokens/s and the
 * achieved GFLOP/s (the model's 6N + attention estimate); the MFU anchor is the model module's benchmark.
 * Threads: -Dai.djl.pytorch.num_threads (surefire pins 1; the service uses one per core).
 */
@Tag("benchmark")
class TrainerThroughputBenchmarkTest {
    @Test
    void cpuProfiles(@TempDir Path dir) throws Exception {
        for (String profile : List.of("cpu-tiny", "cpu-small")) {
            TrainingArgs args = TrainingArgs.profile(profile).with(Map.of("max_train_steps", "12", "save_checkpoint_steps", "1000",
                    "eval_interval", "1000", "log_interval", "1000", "shuffle_buffer", "16", "max_eval_steps", "1"));
            int vocab = 32768;
            FakeChunkSource train = new FakeChunkSource(4, 1), valid = new FakeChunkSource(1, 2);
            Random r = new Random(1);
            for (int c = 0; c < 64; c++) {
                int[] ids = new int[args.seqLength()];
                for (int i = 0; i < ids.length; i++) ids[i] = r.nextInt(vocab);
                train.append(c % 4, FakeChunkSource.chunk("tok", ids));
                if (c < 8) valid.append(0, FakeChunkSource.chunk("tok", ids));
            }
            List<Double> seconds = new ArrayList<>();
            long[] last = {System.nanoTime()};
            TrainingListener timer = new TrainingListener() {
                @Override
                public void updated(TrainStep.Result result, double tokensPerSecond) {
                    long now = System.nanoTime();
                    seconds.add((now - last[0]) / 1e9);
                    last[0] = now;
                }
            };
            new Trainer(new Trainer.Run(profile + "-bench", args, "tok", vocab, Device.cpu()),
                    new Trainer.Io(train, new ValidationChunks(valid), (rec, why) -> {}, id -> Optional.empty(),
                            new CheckpointStore(dir), a -> {}), List.of(timer)).run();
            List<Double> steady = seconds.subList(2, seconds.size()); // the first updates warm libtorch up
            double perUpdate = steady.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            double tokensPerSecond = args.tokensPerUpdate() / perUpdate;
            double flops = GptCost.trainFlopsPerToken(GptConfig.preset(args.model(), vocab), args.seqLength()) * tokensPerSecond;
            System.out.printf("%s (vocab %d, %d x %d tokens): %.3f s/update, %.0f tokens/s, %.1f GFLOP/s; "
                            + "its default %d updates take ~%.0f min%n", profile, vocab, args.trainBatchSize(), args.seqLength(),
                    perUpdate, tokensPerSecond, flops / 1e9, TrainingArgs.profile(profile).maxTrainSteps(),
                    TrainingArgs.profile(profile).maxTrainSteps() * perUpdate / 60);
        }
    }
}
