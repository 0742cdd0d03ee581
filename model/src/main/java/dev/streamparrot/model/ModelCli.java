package dev.streamparrot.model;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Command line for the model library: {@code model-size} prints each preset's parameter count. */
@Command(name = "model", mixinStandardHelpOptions = true, subcommands = {ModelCli.ModelSize.class},
        description = "GPT-2 model utilities")
public final class ModelCli {

    @Command(name = "model-size", description = "Print the parameter count of each preset (as HF counts it).")
    static final class ModelSize implements Runnable {
        @Option(names = "--vocab", defaultValue = "32768",
                description = "vocabulary size for the non-gpt2 presets (the book's tokenizer: ${DEFAULT-VALUE})")
        int vocab;

        @Override
        public void run() {
            for (String name : GptConfig.PRESETS) {
                GptConfig c = GptConfig.preset(name, vocab);
                System.out.printf("%s size: %.1fM parameters (vocab %d, %d layers, %d wide, %d heads, %d positions)%n",
                        label(name), GptCost.numParams(c) / 1e6, c.vocabSize(), c.nLayer(), c.nEmbd(), c.nHead(), c.nPositions());
            }
        }

        /** The book's wording for its models, e.g. "GPT-2 (xl) size: 1529.6M parameters". */
        private static String label(String preset) {
            return switch (preset) {
                case "gpt2" -> "GPT-2";
                case "codeparrot-small" -> "GPT-2 (codeparrot-small)";
                case "codeparrot" -> "GPT-2 (xl)";
                default -> preset;
            };
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ModelCli()).execute(args));
    }
}
