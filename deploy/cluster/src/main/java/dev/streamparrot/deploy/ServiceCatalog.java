package dev.streamparrot.deploy;

import java.util.List;

/** The services of the system, where their code is built and which port each serves on locally. */
public final class ServiceCatalog {
    private ServiceCatalog() {}

    /**
     * @param module      the Maven module folder, whose target/ holds classes and classpath.txt
     * @param localConfig config this machine's cluster sets beyond the service's defaults
     * @param libtorch    whether it runs the model (then it is started with {@link NativePreload}'s libraries)
     */
    public record Service(String name, String module, String mainClass, int port, List<String> localConfig, boolean libtorch) {}

    /** The local model's context and the chunk length: HumanEval's prompts need 512 (see GptConfig's cpu-tiny-512). */
    public static final int LOCAL_CONTEXT = 512;

    /** The local trainer's checkpoint interval: main-line updates between checkpoints, and each one's decay branch. */
    public static final int CHECKPOINT_STEPS = 10, DECAY_STEPS = 2;

    public static final List<Service> ALL = List.of(
            new Service("ingest", "ingest-service", "dev.streamparrot.ingest.IngestApplication", 8081, List.of(), false),
            new Service("tokenize", "tokenize-service", "dev.streamparrot.tokenize.TokenizeApplication", 8082, List.of(), false),
            // Chunks as long as the local model's context (the default, 1024, is codeparrot-small's);
            // a small corpus needs a larger valid share to put any repository in the valid split.
            new Service("packer", "packer-service", "dev.streamparrot.packer.PackerApplication", 8083,
                    List.of("streamparrot.packer.seq-length=" + LOCAL_CONTEXT, "streamparrot.packer.valid-share=0.05"), false),
            // cpu-tiny's run with the cpu-tiny-512 model, so HumanEval runs on the served model; 2 x 512 tokens per
            // update keep cpu-tiny's 8 x 128. Its own run id: a cpu-tiny run of an older .local/ is not resumed
            // with another model. Continuous learning (issue 15): endless wsd on fresh chunks first, half replay;
            // a checkpoint every 10 updates from a 2-update decay branch, so one checkpoint interval is 12 updates
            // (~80 s at ~6.5 s per update here) and a commit is served within about two of them (README).
            new Service("trainer", "trainer-service", "dev.streamparrot.trainer.TrainerApplication", 8084,
                    List.of("streamparrot.trainer.run-id=cpu-tiny-512-wsd", "streamparrot.trainer.model=cpu-tiny-512",
                            "streamparrot.trainer.seq-length=" + LOCAL_CONTEXT, "streamparrot.trainer.train-batch-size=2",
                            "streamparrot.trainer.valid-batch-size=2",
                            "streamparrot.trainer.lr-scheduler-type=wsd", "streamparrot.trainer.max-train-steps=none",
                            "streamparrot.trainer.dataset=fresh-replay", "streamparrot.trainer.fresh-fraction=0.5",
                            "streamparrot.trainer.save-checkpoint-steps=" + CHECKPOINT_STEPS,
                            "streamparrot.trainer.decay-steps=" + DECAY_STEPS), true),
            // every checkpoint evaluated (eval loss, HumanEval pass@1 on its first 5 problems) onto checkpoint-evaluations;
            // few problems: a HumanEval run grows the service's native memory by ~70 MB per problem (README, Inference)
            new Service("inference", "inference-service", "dev.streamparrot.inference.InferenceApplication", 8000,
                    List.of("streamparrot.inference.evaluation.enabled=true", "streamparrot.inference.evaluation.humaneval-problems=5"),
                    true),
            // the web console; LocalCluster tells it where the others listen
            new Service("console", "console-service", "dev.streamparrot.console.ConsoleApplication", 8080, List.of(), false));

    public static Service named(String name) {
        return ALL.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }
}
