package dev.streamparrot.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** Shared test inputs: GPT-2's files, the machine's Python stdlib, random Unicode text. */
final class TestData {
    static final String HELLO = "def say_hello():\n    print(\"Hello, World!\") # Print it\n\nsay_hello()\n";

    private static Tokenizer gpt2;
    private static Path stdlib;

    private TestData() {}

    static synchronized Tokenizer gpt2() {
        if (gpt2 == null) {
            try {
                gpt2 = Tokenizer.fromGpt2Files(resource("gpt2/encoder.json"), resource("gpt2/vocab.bpe"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return gpt2;
    }

    static Path resource(String name) {
        try {
            return Path.of(TestData.class.getClassLoader().getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Python stdlib folder of this machine's python3, found at test time. */
    static synchronized Path stdlib() {
        if (stdlib == null) {
            try {
                Process p = new ProcessBuilder("python3", "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])")
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (p.waitFor() != 0) throw new IllegalStateException("python3 failed: " + out);
                stdlib = Path.of(out);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("cannot find the Python stdlib", e);
            }
        }
        return stdlib;
    }

    /** All .py files of the stdlib (tests included). */
    static List<Path> stdlibFiles() throws IOException {
        return Corpus.pythonFiles(stdlib(), false).stream().filter(p -> !p.toString().contains("/site-packages/")).toList();
    }

    /** Corpus A: the stdlib's .py files outside test/tests folders. */
    static List<Path> stdlibTrainingFiles() throws IOException {
        return Corpus.pythonFiles(stdlib(), true);
    }

    private static final String[] ALPHABET = {
            "a", "b", "Z", "s", "t", "re", "ve", "ll", "d", "m", "'", "'", " ", " ", " ", "  ", "\t", "\n", "\r\n", "\r",
            "0", "7", "_", "(", ")", ":", "#", "\"", ",", ".", "é", "ß", "Ж", "中", "文", "語", "한", "ı", "ǅ", "ʰ",
            "٣", "²", "Ⅷ", "½", "\u00A0", "\u2003", "\u3000", "\u0085", "\u1680", "\u2028", "\u202F", "\u200B", "\u0301",
            "\u0001", "\u001C", "\u001F", "\u007F", "\u000B", "\u000C", "😀", "🐍", "𝔘", "𝟘", "\uFEFF", "<|endoftext|>", "€", "©",
    };

    /** Random text mixing letters, numbers, many kinds of whitespace, controls, emoji and CJK. */
    static String randomText(Random random, int pieces) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            if (random.nextInt(10) == 0) {
                int cp;
                do {
                    cp = random.nextInt(0x2FFFF);
                } while (Character.getType(cp) == Character.SURROGATE || Character.getType(cp) == Character.UNASSIGNED);
                sb.appendCodePoint(cp);
            } else {
                sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
            }
        }
        return sb.toString();
    }
}
