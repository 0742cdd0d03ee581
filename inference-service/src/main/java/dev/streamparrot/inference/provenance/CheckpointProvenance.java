package dev.streamparrot.inference.provenance;

import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.schemas.PartitionOffset;
import java.util.Collections;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Which data a served checkpoint has seen: its training step and its data frontier (per chunks-train
 * partition, every chunk below the offset has been trained on). Named in every completion response as
 * OpenAI's {@code system_fingerprint}, e.g. {@code step-120;frontier=0:153,1:98,2:0,3:77}.
 *
 * @param step     the training step, or null for a model loaded from a directory without an announcement
 * @param frontier partition to offset; empty when the announcement carried none (then nothing counts as trained)
 */
public record CheckpointProvenance(Long step, SortedMap<Integer, Long> frontier) {

    /** A model that came from a directory: nothing is known of its data. */
    public static final CheckpointProvenance UNKNOWN = new CheckpointProvenance(null, new TreeMap<>());

    public CheckpointProvenance {
        frontier = Collections.unmodifiableSortedMap(new TreeMap<>(frontier));
    }

    public static CheckpointProvenance of(CheckpointAnnouncement a) {
        SortedMap<Integer, Long> frontier = new TreeMap<>();
        for (PartitionOffset p : a.getFrontier()) frontier.put(p.getPartition(), p.getOffset());
        return new CheckpointProvenance(a.getStep(), frontier);
    }

    /** True when the chunk at this chunks-train partition and offset is below the frontier. */
    public boolean trained(int partition, long offset) {
        Long upTo = frontier.get(partition);
        return upTo != null && offset < upTo;
    }

    /** The frontier's offset of one partition, if the checkpoint has one. */
    public OptionalLong frontierOf(int partition) {
        Long upTo = frontier.get(partition);
        return upTo == null ? OptionalLong.empty() : OptionalLong.of(upTo);
    }

    /** OpenAI's {@code system_fingerprint}: the step and the frontier, readable and without spaces. */
    public String fingerprint() {
        String data = frontier.isEmpty() ? "unknown"
                : frontier.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(","));
        return (step == null ? "step-unknown" : "step-" + step) + ";frontier=" + data;
    }
}
