package dev.streamparrot.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/** Python source files as training or measuring text: listed once, read lazily one file at a time. */
public final class Corpus {
    private Corpus() {}

    /**
     * The {@code .py} files under root, sorted by path. With {@code skipTests}, files inside a folder
     * named {@code test} or {@code tests}, or inside {@code site-packages}, are left out.
     */
    public static List<Path> pythonFiles(Path root, boolean skipTests) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> p.getFileName() != null && p.getFileName().toString().endsWith(".py"))
                    .filter(Files::isRegularFile)
                    .filter(p -> !skipTests || !inSkippedFolder(root.relativize(p)))
                    .forEach(files::add);
        }
        files.sort(null);
        return files;
    }

    /** The files listed one per line in a text file (blank lines and # comments ignored). */
    public static List<Path> listedFiles(Path list) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
            String s = line.strip();
            if (!s.isEmpty() && !s.startsWith("#")) files.add(Path.of(s));
        }
        return files;
    }

    private static boolean inSkippedFolder(Path relative) {
        for (int i = 0; i < relative.getNameCount() - 1; i++) {
            String name = relative.getName(i).toString();
            if (name.equals("test") || name.equals("tests") || name.equals("site-packages")) return true;
        }
        return false;
    }

    /** The files' text, read as UTF-8 (malformed bytes become U+FFFD), one file per element. */
    public static Iterator<String> read(List<Path> files) {
        return new Iterator<>() {
            int next;

            @Override
            public boolean hasNext() {
                return next < files.size();
            }

            @Override
            public String next() {
                if (!hasNext()) throw new NoSuchElementException();
                return readText(files.get(next++));
            }
        };
    }

    public static String readText(Path file) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static long totalBytes(List<Path> files) throws IOException {
        long total = 0;
        for (Path f : files) total += Files.size(f);
        return total;
    }
}
