package dev.streamparrot.ingest.source;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Incompressible-ish text of a given size, so archive ratios stay those of real code. */
final class PythonText {
    private PythonText() {}

    static byte[] random(int size) {
        Random r = new Random(size);
        StringBuilder sb = new StringBuilder(size);
        while (sb.length() < size) {
            sb.append((char) ('a' + r.nextInt(26)));
            if (r.nextInt(12) == 0) sb.append(r.nextInt(30) == 0 ? '\n' : ' ');
        }
        sb.setLength(size);
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
