package dev.streamparrot.ingest.source;

import dev.streamparrot.ingest.file.CandidateFile;
import dev.streamparrot.ingest.file.RejectReason;
import dev.streamparrot.ingest.file.Rejection;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A listener that keeps what a source reports, for assertions. */
final class Collected implements SourceListener {
    final List<CandidateFile> files = new ArrayList<>();
    final List<Rejection> rejections = new ArrayList<>();
    private final int maxBytes;

    Collected(int maxBytes) { this.maxBytes = maxBytes; }

    Collected() { this(1_048_575); }

    @Override public boolean wants(String path) { return path.endsWith(".py"); }

    @Override public int maxBytes() { return maxBytes; }

    @Override public void onFile(CandidateFile file) { files.add(file); }

    @Override public void onRejected(Rejection rejection) { rejections.add(rejection); }

    /** path → content of the files delivered. */
    Map<String, String> contents() {
        Map<String, String> m = new TreeMap<>();
        for (CandidateFile f : files) m.put(f.path(), new String(f.bytes(), StandardCharsets.UTF_8));
        return m;
    }

    /** path → reason of the rejections. */
    Map<String, RejectReason> reasons() {
        Map<String, RejectReason> m = new TreeMap<>();
        for (Rejection r : rejections) m.put(r.path(), r.reason());
        return m;
    }
}
