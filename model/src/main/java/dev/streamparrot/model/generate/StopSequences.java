package dev.streamparrot.model.generate;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Strings that end a completion when they appear in its text; they are not part of the output. */
public record StopSequences(List<String> strings) {

    public static final StopSequences NONE = new StopSequences(List.of());

    /**
     * CodeParrot's HumanEval stop strings: a completion of one function body ends where the next
     * top-level block (class, def, comment, decorator, print, if) starts.
     */
    public static final StopSequences CODE_FIRST_BLOCK =
            new StopSequences(List.of("\nclass", "\ndef", "\n#", "\n@", "\nprint", "\nif"));

    private static final Map<String, StopSequences> PRESETS = Map.of("code-first-block", CODE_FIRST_BLOCK);

    public StopSequences {
        strings = List.copyOf(strings);
        for (String s : strings) {
            if (s.isEmpty()) throw new IllegalArgumentException("stop sequences must not be empty");
        }
    }

    /** A named preset such as {@code "code-first-block"}. */
    public static Optional<StopSequences> preset(String name) {
        return Optional.ofNullable(PRESETS.get(name));
    }

    public boolean isEmpty() {
        return strings.isEmpty();
    }
}
