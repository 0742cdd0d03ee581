package dev.streamparrot.ingest;

import dev.streamparrot.ingest.file.CandidateFile;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Synthetic but ordinary Python modules for tests: every one passes the default cleaning filters. */
public final class PythonFiles {
    private PythonFiles() {}

    /** A module of {@code functions} functions built from identifiers derived from {@code seed}. */
    public static String module(long seed, int functions) {
        return module(identifiers(seed, functions * 4));
    }

    /** A module whose token set is (about) exactly {@code names}, four names per function. */
    public static String module(List<String> names) {
        StringBuilder sb = new StringBuilder("import math\n\n\n");
        for (int i = 0; i + 3 < names.size(); i += 4) {
            String f = names.get(i), a = names.get(i + 1), b = names.get(i + 2), c = names.get(i + 3);
            sb.append("def ").append(f).append("(").append(a).append(", ").append(b).append("):\n")
              .append("    ").append(c).append(" = ").append(a).append(" * 2 + ").append(b).append("\n")
              .append("    if ").append(c).append(" > 10:\n")
              .append("        return ").append(c).append(" - ").append(a).append("\n")
              .append("    return math.sqrt(abs(").append(c).append("))\n\n\n");
        }
        return sb.toString();
    }

    /** Distinct identifiers, reproducible from the seed. */
    public static List<String> identifiers(long seed, int n) {
        Random random = new Random(seed);
        List<String> out = new ArrayList<>();
        while (out.size() < n) {
            StringBuilder id = new StringBuilder();
            for (int k = 0; k < 8; k++) id.append((char) ('a' + random.nextInt(26)));
            id.append('_').append(out.size());
            out.add(id.toString());
        }
        return out;
    }

    public static CandidateFile candidate(String path, String content) {
        return new CandidateFile("test", null, path, content.getBytes(StandardCharsets.UTF_8), null, 1);
    }
}
