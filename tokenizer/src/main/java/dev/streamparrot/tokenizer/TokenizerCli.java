package dev.streamparrot.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tokenizer train | report | encode}: the tokenizer step of the CodeParrot workflow from a shell. */
@Command(name = "tokenizer", mixinStandardHelpOptions = true,
        description = "Train, measure and run GPT-2 style byte-level BPE tokenizers.",
        subcommands = {TokenizerCli.Train.class, TokenizerCli.Report.class, TokenizerCli.Encode.class})
public final class TokenizerCli {
    public static void main(String[] args) {
        System.exit(new CommandLine(new TokenizerCli()).execute(args));
    }

    /** A folder of .py files, or a text file listing files one per line. */
    static List<Path> inputFiles(Path input, boolean skipTests) throws IOException {
        return Files.isDirectory(input) ? Corpus.pythonFiles(input, skipTests) : Corpus.listedFiles(input);
    }

    /** Where a tokenizer comes from: a tokenizer.json, or a folder with GPT-2's encoder.json + vocab.bpe. */
    static Tokenizer load(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            if (Files.exists(path.resolve("tokenizer.json"))) return Tokenizer.fromFile(path.resolve("tokenizer.json"));
            return Tokenizer.fromGpt2Files(path.resolve("encoder.json"), path.resolve("vocab.bpe"));
        }
        return Tokenizer.fromFile(path);
    }

    @Command(name = "train", mixinStandardHelpOptions = true, description = "Learn a byte-level BPE vocab from Python files.")
    static final class Train implements Callable<Integer> {
        @Option(names = "--input", required = true, description = "folder of .py files, or a file listing files")
        Path input;

        @Option(names = "--output", defaultValue = "tokenizer.json", description = "tokenizer.json to write (default: ${DEFAULT-VALUE})")
        Path output;

        @Option(names = "--vocab-size", defaultValue = "32768", description = "default: ${DEFAULT-VALUE}")
        int vocabSize;

        @Option(names = "--min-frequency", defaultValue = "0", description = "default: ${DEFAULT-VALUE}")
        long minFrequency;

        @Option(names = "--skip-tests", description = "leave out test/ and tests/ folders and site-packages/")
        boolean skipTests;

        @Override
        public Integer call() throws IOException {
            List<Path> files = inputFiles(input, skipTests);
            System.err.printf("training on %,d files (%.1f MB)%n", files.size(), Corpus.totalBytes(files) / 1e6);
            ProgressBar bar = new ProgressBar(System.err);
            BpeTrainer.Config config = new BpeTrainer.Config(vocabSize, minFrequency, List.of(Tokenizer.END_OF_TEXT), ByteLevel.alphabet());
            long start = System.nanoTime();
            Tokenizer tokenizer = new BpeTrainer(config, bar).train(Corpus.read(files));
            bar.finish();
            System.err.printf("trained in %.1f s%n", (System.nanoTime() - start) / 1e9);
            tokenizer.save(output);
            System.err.println("wrote " + output);
            System.out.print(TokenizerReport.measure(tokenizer, Corpus.read(files)).toText());
            return 0;
        }
    }

    @Command(name = "report", mixinStandardHelpOptions = true, description = "Measure a tokenizer on Python files.")
    static final class Report implements Callable<Integer> {
        @Option(names = "--tokenizer", required = true, description = "tokenizer.json, or a folder with encoder.json + vocab.bpe")
        Path tokenizer;

        @Option(names = "--input", required = true, description = "folder of .py files, or a file listing files")
        Path input;

        @Option(names = "--skip-tests", description = "leave out test/ and tests/ folders and site-packages/")
        boolean skipTests;

        @Override
        public Integer call() throws IOException {
            System.out.print(TokenizerReport.measure(load(tokenizer), Corpus.read(inputFiles(input, skipTests))).toText());
            return 0;
        }
    }

    @Command(name = "encode", mixinStandardHelpOptions = true, description = "Print the tokens and ids of a text (or of stdin).")
    static final class Encode implements Callable<Integer> {
        @Option(names = "--tokenizer", required = true, description = "tokenizer.json, or a folder with encoder.json + vocab.bpe")
        Path tokenizer;

        @Parameters(arity = "0..*", description = "text to encode; stdin when absent")
        List<String> text;

        @Override
        public Integer call() throws IOException {
            Tokenizer t = load(tokenizer);
            String input = text == null || text.isEmpty()
                    ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : String.join(" ", text);
            int[] ids = t.encode(input);
            System.out.println(t.encodeToTokens(input));
            System.out.println(Arrays.toString(ids));
            System.out.printf("%d chars, %d tokens%n", input.length(), ids.length);
            return 0;
        }
    }
}
