package dev.streamparrot.trainer;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.trainer.logging.TrainingProgress;
import dev.streamparrot.trainer.loop.Trainer;
import dev.streamparrot.trainer.loop.TrainingArgs;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * {@code trainer train [--profile cpu-tiny] [--max_train_steps 200] ...}: one training run in the foreground,
 * without the HTTP service. Every training argument is an option under its book name (or kebab-case);
 * Ctrl-C ends the run with an evaluation and a checkpoint that the next run with the same id resumes.
 */
public final class TrainerCli {
    private TrainerCli() {}

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandSpec train = CommandSpec.create().name("train").mixinStandardHelpOptions(true);
        train.usageMessage().description("Trains GPT-2 on chunks-train, evaluating on chunks-valid; resumes the run's latest checkpoint.");
        train.addOption(option("--bootstrap-servers", "Kafka bootstrap servers", KafkaSettings.LOCAL_BOOTSTRAP));
        train.addOption(option("--schema-registry", "schema registry URL", KafkaSettings.LOCAL_REGISTRY));
        train.addOption(option("--data-dir", "where checkpoints and logs go by default", ".local/trainer"));
        TrainerSettings.KEYS.forEach((key, description) -> train.addOption(option("--" + key, description, null)));
        TrainingArgs.KEYS.forEach((key, description) -> train.addOption(OptionSpec.builder("--" + key, "--" + key.replace('_', '-'))
                .paramLabel("VALUE").type(String.class).description(description + " (default: the profile's)").build()));
        CommandLine train_ = new CommandLine(train);
        CommandSpec top = CommandSpec.create().name("trainer").mixinStandardHelpOptions(true);
        top.usageMessage().description("StreamParrot's GPT-2 trainer.");
        CommandLine cli = new CommandLine(top);
        cli.addSubcommand("train", train_);
        // The train command is built from specs, not an annotated class: the top level hands it the parse itself.
        cli.setExecutionStrategy(parsed -> {
            Integer help = CommandLine.executeHelpRequest(parsed);
            if (help != null) return help;
            if (parsed.subcommand() == null) {
                cli.usage(cli.getOut());
                return 2;
            }
            return train(parsed.subcommand());
        });
        return cli;
    }

    private static OptionSpec option(String name, String description, String defaultValue) {
        OptionSpec.Builder b = OptionSpec.builder(name).paramLabel("VALUE").type(String.class).description(description);
        if (defaultValue != null) b.defaultValue(defaultValue).description(description + " (default " + defaultValue + ")");
        return b.build();
    }

    /** The settings the train command's options give (options not given fall back to the profile's values). */
    static TrainerSettings settings(CommandSpec train) {
        Map<String, String> values = new HashMap<>();
        for (OptionSpec o : train.options()) {
            // "--train_batch_size" and "--train-batch-size" are one option: normalise its name to kebab-case
            if (o.getValue() instanceof String v) values.put(o.longestName().substring(2).replace('_', '-'), v);
        }
        return TrainerSettings.from(new KafkaSettings(values.get("bootstrap-servers"), values.get("schema-registry")),
                Path.of(values.get("data-dir")), key -> Optional.ofNullable(values.get(key)));
    }

    private static int train(ParseResult parsed) {
        Integer help = CommandLine.executeHelpRequest(parsed);
        if (help != null) return help;
        TrainerSettings settings = settings(parsed.commandSpec());
        TrainingJob job = new TrainingJob(settings, System.out, List.of(
                new TrainingProgress(System.err, settings.args().maxTrainSteps())));
        job.checkChunkLength();
        CountDownLatch done = new CountDownLatch(1);
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            job.stop();
            try {
                if (!done.await(2, java.util.concurrent.TimeUnit.SECONDS)) {
                    main.interrupt(); // waiting for chunks rather than training
                    done.await();
                }
            } catch (InterruptedException ignored) {
                // the JVM is going down anyway
            }
        }));
        try {
            Trainer.Outcome outcome = job.run();
            if (outcome == null) { // a group member: its rounds and checkpoints were reported as they happened
                System.out.println("done: this trainer group member stopped");
                return 0;
            }
            System.out.printf("done at step %d: eval loss %s, perplexity %s, checkpoint %s%n", outcome.step(),
                    outcome.evalLoss(), outcome.perplexity(), outcome.checkpoint());
            return 0;
        } catch (InterruptedException e) {
            return 130;
        } finally {
            done.countDown();
        }
    }
}
