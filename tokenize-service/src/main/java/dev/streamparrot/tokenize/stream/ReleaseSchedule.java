package dev.streamparrot.tokenize.stream;

import dev.streamparrot.schemas.TokenizerActivation;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which release encodes which offsets of one source-files partition. An activation says from which
 * offset of each partition it applies; if this partition already went past that offset before the
 * activation could be read (it is written a moment after the end offsets were taken), it applies from
 * the first offset processed after it was seen. The schedule is kept in a state store, committed with
 * the output, so a restart or a moved task decides every record exactly as before.
 *
 * @param switches in activation order
 */
public record ReleaseSchedule(List<Switch> switches) {
    public static final ReleaseSchedule EMPTY = new ReleaseSchedule(List.of());

    /** @param activationOffset where the activation sits in the activation topic */
    public record Switch(long activationOffset, String tokenizerId, long fromOffset) {}

    public ReleaseSchedule {
        switches = List.copyOf(switches);
    }

    /** This schedule plus the activations it lacks, as decided when processing {@code offset}. */
    public ReleaseSchedule update(int partition, long offset, List<ReleaseCatalog.Entry> activations) {
        long last = switches.isEmpty() ? -1 : switches.get(switches.size() - 1).activationOffset();
        List<Switch> more = new ArrayList<>(switches);
        for (ReleaseCatalog.Entry entry : activations) {
            if (entry.offset() <= last) continue;
            TokenizerActivation activation = entry.activation();
            long from = activation.getFromOffsets().getOrDefault(String.valueOf(partition), 0L);
            more.add(new Switch(entry.offset(), activation.getTokenizerId(), Math.max(from, offset)));
        }
        return more.size() == switches.size() ? this : new ReleaseSchedule(more);
    }

    /** The release of the latest activation that applies at this offset. */
    public Optional<String> releaseAt(long offset) {
        for (int i = switches.size() - 1; i >= 0; i--) {
            if (switches.get(i).fromOffset() <= offset) return Optional.of(switches.get(i).tokenizerId());
        }
        return Optional.empty();
    }

    /** As kept in the state store: {@code activationOffset:fromOffset:tokenizerId} per switch, one a line. */
    public String encode() {
        StringBuilder text = new StringBuilder();
        for (Switch s : switches) text.append(s.activationOffset()).append(':').append(s.fromOffset()).append(':').append(s.tokenizerId()).append('\n');
        return text.toString();
    }

    public static ReleaseSchedule decode(String text) {
        if (text == null || text.isEmpty()) return EMPTY;
        List<Switch> switches = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] parts = line.split(":", 3);
            switches.add(new Switch(Long.parseLong(parts[0]), parts[2], Long.parseLong(parts[1])));
        }
        return new ReleaseSchedule(switches);
    }
}
