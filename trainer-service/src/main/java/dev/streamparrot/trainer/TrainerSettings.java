package dev.streamparrot.trainer;

import dev.streamparrot.artifacts.StoreSettings;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.model.DeviceSetting;
import dev.streamparrot.trainer.group.GroupSettings;
import dev.streamparrot.trainer.loop.TrainingArgs;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Everything a training job needs to know, read the same way from application.yml
 * ({@code streamparrot.trainer.*}, kebab-case) and from the command line.
 *
 * @param runId         names checkpoints and logs; a job with the id of an earlier run resumes it
 * @param checkpointDir the checkpoint store's root
 * @param logDir        TensorBoard event files go to logDir/runId
 * @param tokenizerId   the tokenizer to train on, or null for the first chunk's
 * @param vocabSize     the vocabulary when the tokenizer has no release on tokenizer-releases
 * @param groupId       a lone trainer's consumer group on chunks-train ({@code consumer-group}, default {@code trainer});
 *                      a trainer group's members use their {@code group-id} instead
 * @param threads       libtorch threads, 0 for libtorch's default (one per core)
 * @param store         the artifact store checkpoints are published to and tokenizers read from
 * @param keepCheckpoints the newest this many published checkpoints of the run are kept (and pinned ones)
 * @param device        where the model trains: auto (what DJL's engine offers), cpu, or gpu (an error without one)
 * @param group         the trainer group this trainer is a member of, or null: it trains alone
 */
public record TrainerSettings(KafkaSettings kafka, String runId, TrainingArgs args, Path checkpointDir, Path logDir,
                              String tokenizerId, int vocabSize, String groupId, int threads, StoreSettings store,
                              int keepCheckpoints, DeviceSetting device, GroupSettings group) {

    /**
     * Reads the settings through {@code property}, which answers keys under {@code streamparrot.trainer}
     * such as {@code profile}, {@code run-id} or a training argument in kebab-case ({@code max-train-steps}).
     */
    public static TrainerSettings from(KafkaSettings kafka, Path dataDir, Function<String, Optional<String>> property) {
        return from(kafka, dataDir, property, StoreSettings.fromSystem(dataDir));
    }

    /** As {@link #from(KafkaSettings, Path, Function)}, publishing to this store. */
    public static TrainerSettings from(KafkaSettings kafka, Path dataDir, Function<String, Optional<String>> property,
                                       StoreSettings store) {
        String profile = property.apply("profile").orElse("cpu-tiny");
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String key : TrainingArgs.KEYS.keySet()) {
            property.apply(key.replace('_', '-')).filter(v -> !v.isBlank()).ifPresent(v -> overrides.put(key, v));
        }
        TrainingArgs args = TrainingArgs.profile(profile).with(overrides);
        return new TrainerSettings(kafka,
                property.apply("run-id").filter(v -> !v.isBlank()).orElse(profile),
                args,
                property.apply("checkpoint-dir").map(Path::of).orElse(dataDir.resolve("checkpoints")),
                property.apply("log-dir").map(Path::of).orElse(dataDir.resolve("runs")),
                property.apply("tokenizer-id").filter(v -> !v.isBlank()).orElse(null),
                Integer.parseInt(property.apply("vocab-size").orElse("32768")),
                property.apply("consumer-group").orElse("trainer"),
                Integer.parseInt(property.apply("threads").orElse("0")),
                store,
                Integer.parseInt(property.apply("keep-checkpoints").orElse("5")),
                DeviceSetting.parse(property.apply("device").filter(v -> !v.isBlank()).orElse("auto")),
                GroupSettings.from(property).orElse(null));
    }

    /** Keys {@link #from} reads besides the training arguments, with what they mean. */
    public static final Map<String, String> KEYS = keys(Map.ofEntries(Map.entry("keep-checkpoints",
                    "published checkpoints of the run kept besides pinned ones (default 5)"),
            Map.entry("profile", "training profile: " + TrainingArgs.PROFILES + " (default cpu-tiny)"),
            Map.entry("run-id", "run id; checkpoints of the same id are resumed (default: the profile)"),
            Map.entry("checkpoint-dir", "local working directory of checkpoints, resumed from (default <data-dir>/checkpoints)"),
            Map.entry("log-dir", "TensorBoard log directory (default <data-dir>/runs)"),
            Map.entry("tokenizer-id", "tokenizer to train on (default: the first chunk's)"),
            Map.entry("vocab-size", "vocabulary when the tokenizer has no release (default 32768)"),
            Map.entry("consumer-group", "a lone trainer's consumer group on chunks-train (default trainer); group-id makes a group member"),
            Map.entry("threads", "libtorch threads, 0 = one per core (default 0)"),
            Map.entry("device", "auto (a GPU when DJL's engine offers one, else the CPU), cpu, or gpu (an error without one); default auto")));

    private static Map<String, String> keys(Map<String, String> own) {
        Map<String, String> all = new java.util.TreeMap<>(own);
        all.putAll(GroupSettings.KEYS);
        return java.util.Collections.unmodifiableMap(all);
    }
}
