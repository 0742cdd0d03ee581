package dev.streamparrot.inference.service;

import dev.streamparrot.inference.humaneval.HumanEvalCli;
import dev.streamparrot.inference.humaneval.ModelCompletionEngine;
import picocli.CommandLine;

/**
 * {@code humaneval --model <checkpoint dir>}: HumanEval against a checkpoint on disk, without the
 * service. The checkpoint is loaded as the service loads it; generation runs on this thread.
 * {@code humaneval evaluate SAMPLES.jsonl} scores a samples file without any model.
 */
public final class HumanEvalMain {
    private HumanEvalMain() {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new HumanEvalCli(checkpointEngines())).execute(args));
    }

    /** Engines that load {@code --model} as a checkpoint directory. */
    public static HumanEvalCli.EngineFactory checkpointEngines() {
        return (dir, settings) -> {
            LoadedModel model = new CheckpointLoader().load(dir);
            System.err.println("humaneval: loaded " + model.id() + " from " + dir);
            return new ModelCompletionEngine(model.service(), settings);
        };
    }
}
