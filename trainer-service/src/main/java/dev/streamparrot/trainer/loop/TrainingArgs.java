package dev.streamparrot.trainer.loop;

import dev.streamparrot.trainer.data.AtEnd;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The book's training {@code args}, under the book's names, plus the model preset and how often to
 * evaluate and log. {@link #profile} gives a complete set; {@link #with} overrides some of them by name
 * (snake_case as in the book, or kebab-case as in application.yml).
 */
public record TrainingArgs(
        String model,
        int trainBatchSize,
        int validBatchSize,
        double weightDecay,
        int shuffleBuffer,
        double learningRate,
        String lrSchedulerType,
        long numWarmupSteps,
        int gradientAccumulationSteps,
        long maxTrainSteps,
        long maxEvalSteps,
        int seqLength,
        long seed,
        long saveCheckpointSteps,
        long evalInterval,
        long logInterval,
        AtEnd atEnd,
        long decaySteps,
        String dataset,
        double freshFraction) {

    /** max_train_steps of a run without an end (spelled {@code none}): only the wsd and constant schedules allow it. */
    public static final long ENDLESS = 0;
    /** The dataset values: shuffled epochs over the topic, or the head of the topic first with replay. */
    public static final String EPOCHS = "epochs", FRESH_REPLAY = "fresh-replay";

    /** Every key {@link #with} accepts, with what it means (the CLI's help and options come from here). */
    public static final Map<String, String> KEYS = keys();

    /** Profile names: the book's codeparrot-small, and two that train in minutes on a CPU. */
    public static final List<String> PROFILES = List.of("codeparrot-small", "cpu-small", "cpu-tiny");

    public TrainingArgs {
        if (trainBatchSize <= 0 || validBatchSize <= 0 || gradientAccumulationSteps <= 0 || seqLength <= 1
                || shuffleBuffer <= 0 || maxTrainSteps < 0 || saveCheckpointSteps <= 0 || evalInterval <= 0 || logInterval <= 0) {
            throw new IllegalArgumentException("batch sizes, steps, intervals and lengths must be positive");
        }
        if (maxTrainSteps == ENDLESS && !List.of("wsd", "constant", "constant_with_warmup").contains(lrSchedulerType)) {
            throw new IllegalArgumentException("an endless run (max_train_steps none) needs lr_scheduler_type wsd or constant, not "
                    + lrSchedulerType);
        }
        if (lrSchedulerType.equals("wsd") && decaySteps <= 0) throw new IllegalArgumentException("wsd needs decay_steps > 0");
        if (!List.of(EPOCHS, FRESH_REPLAY).contains(dataset)) {
            throw new IllegalArgumentException("dataset must be " + EPOCHS + " or " + FRESH_REPLAY + ", got " + dataset);
        }
        if (!(freshFraction > 0 && freshFraction <= 1)) throw new IllegalArgumentException("fresh_fraction must be in (0, 1]");
    }

    public static TrainingArgs profile(String name) {
        return switch (name) {
            // the book's codeparrot-small run
            case "codeparrot-small" -> new TrainingArgs("codeparrot-small", 12, 12, 0.1, 10_000, 5e-4, "cosine", 2000, 1,
                    150_000, -1, 1024, 1, 15_000, 15_000, 10, AtEnd.NEW_EPOCH, 1500, EPOCHS, 0.5);
            // 11.6M parameters (vocab 32768), 2048 tokens per update: about 2000 updates in a few hours on 2 cores
            case "cpu-small" -> new TrainingArgs("cpu-small", 8, 8, 0.1, 2000, 5e-4, "cosine", 100, 1,
                    2000, 20, 256, 1, 500, 250, 10, AtEnd.NEW_EPOCH, 50, EPOCHS, 0.5);
            // 2 layers of 128: learns the data's short-range statistics; 600 updates of 1024 tokens are the local
            // cluster's default run (4.5 s/update at vocab 32768 measured with the 2 cores at load 14: ~45 min)
            case "cpu-tiny" -> new TrainingArgs("cpu-tiny", 8, 8, 0.1, 1000, 1e-3, "cosine", 50, 1,
                    600, 20, 128, 1, 200, 100, 10, AtEnd.NEW_EPOCH, 20, EPOCHS, 0.5);
            default -> throw new IllegalArgumentException("unknown profile " + name + ", known: " + PROFILES);
        };
    }

    /** These args with some replaced; keys as in {@link #KEYS}, kebab-case accepted. Unknown keys fail. */
    public TrainingArgs with(Map<String, String> overrides) {
        Map<String, String> m = toMap();
        overrides.forEach((k, v) -> {
            String key = k.replace('-', '_');
            if (!KEYS.containsKey(key)) throw new IllegalArgumentException("unknown training argument " + k);
            m.put(key, v.trim());
        });
        return fromMap(m);
    }

    /** The args by name, values as strings: what a checkpoint records and {@link #fromMap} reads. */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("train_batch_size", Integer.toString(trainBatchSize));
        m.put("valid_batch_size", Integer.toString(validBatchSize));
        m.put("weight_decay", Double.toString(weightDecay));
        m.put("shuffle_buffer", Integer.toString(shuffleBuffer));
        m.put("learning_rate", Double.toString(learningRate));
        m.put("lr_scheduler_type", lrSchedulerType);
        m.put("num_warmup_steps", Long.toString(numWarmupSteps));
        m.put("gradient_accumulation_steps", Integer.toString(gradientAccumulationSteps));
        m.put("max_train_steps", maxTrainSteps == ENDLESS ? "none" : Long.toString(maxTrainSteps));
        m.put("max_eval_steps", Long.toString(maxEvalSteps));
        m.put("seq_length", Integer.toString(seqLength));
        m.put("seed", Long.toString(seed));
        m.put("save_checkpoint_steps", Long.toString(saveCheckpointSteps));
        m.put("eval_interval", Long.toString(evalInterval));
        m.put("log_interval", Long.toString(logInterval));
        m.put("at_end", atEnd.spelling());
        m.put("decay_steps", Long.toString(decaySteps));
        m.put("dataset", dataset);
        m.put("fresh_fraction", Double.toString(freshFraction));
        return m;
    }

    public static TrainingArgs fromMap(Map<String, String> m) {
        try {
            return new TrainingArgs(m.get("model"),
                    Integer.parseInt(m.get("train_batch_size")), Integer.parseInt(m.get("valid_batch_size")),
                    Double.parseDouble(m.get("weight_decay")), Integer.parseInt(m.get("shuffle_buffer")),
                    Double.parseDouble(m.get("learning_rate")), m.get("lr_scheduler_type"),
                    Long.parseLong(m.get("num_warmup_steps")), Integer.parseInt(m.get("gradient_accumulation_steps")),
                    maxTrainSteps(m.get("max_train_steps")), Long.parseLong(m.get("max_eval_steps")),
                    Integer.parseInt(m.get("seq_length")), Long.parseLong(m.get("seed")),
                    Long.parseLong(m.get("save_checkpoint_steps")), Long.parseLong(m.get("eval_interval")),
                    Long.parseLong(m.get("log_interval")), AtEnd.parse(m.get("at_end")),
                    // absent from checkpoints written before these existed
                    Long.parseLong(m.getOrDefault("decay_steps", "1")), m.getOrDefault("dataset", EPOCHS),
                    Double.parseDouble(m.getOrDefault("fresh_fraction", "0.5")));
        } catch (NullPointerException | NumberFormatException e) {
            throw new IllegalArgumentException("incomplete or malformed training arguments " + m + ": " + e, e);
        }
    }

    /** Whether the run trains until stopped. */
    public boolean endless() {
        return maxTrainSteps == ENDLESS;
    }

    private static long maxTrainSteps(String s) {
        return s.equals("none") ? ENDLESS : Long.parseLong(s);
    }

    /** Tokens one optimizer update consumes. */
    public long tokensPerUpdate() {
        return (long) trainBatchSize * gradientAccumulationSteps * seqLength;
    }

    private static Map<String, String> keys() {
        Map<String, String> k = new LinkedHashMap<>();
        k.put("model", "model preset: gpt2, codeparrot-small, codeparrot, cpu-small, cpu-tiny");
        k.put("train_batch_size", "sequences per micro-batch");
        k.put("valid_batch_size", "sequences per evaluation batch");
        k.put("weight_decay", "AdamW weight decay (not on biases and LayerNorm weights)");
        k.put("shuffle_buffer", "chunks held in the shuffle buffer");
        k.put("learning_rate", "peak learning rate");
        k.put("lr_scheduler_type", "cosine, linear or constant (with warmup), or wsd (warmup-stable, each checkpoint from a decay branch)");
        k.put("num_warmup_steps", "updates of linear warmup");
        k.put("gradient_accumulation_steps", "micro-batches per update");
        k.put("max_train_steps", "updates in the whole run, none for an endless run (wsd or constant)");
        k.put("max_eval_steps", "evaluation batches, -1 for the whole validation split");
        k.put("seq_length", "tokens per chunk (must match the packer's)");
        k.put("seed", "seed of the initial weights, the shuffle and dropout");
        k.put("save_checkpoint_steps", "updates between checkpoints");
        k.put("eval_interval", "updates between evaluations");
        k.put("log_interval", "updates between log lines and TensorBoard points");
        k.put("at_end", "epochs dataset, at the end of chunks-train: wait (streaming) or new-epoch");
        k.put("decay_steps", "wsd: updates of each checkpoint's decay branch");
        k.put("dataset", "epochs (shuffled passes over chunks-train) or fresh-replay (new chunks first, mixed with replay)");
        k.put("fresh_fraction", "fresh-replay: share of each batch taken from chunks never trained");
        return java.util.Collections.unmodifiableMap(k);
    }
}
