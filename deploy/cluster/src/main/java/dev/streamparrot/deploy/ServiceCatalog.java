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

    public static final List<Service> ALL = List.of(
            new Service("ingest", "ingest-service", "dev.streamparrot.ingest.IngestApplication", 8081, List.of(), false),
            new Service("tokenize", "tokenize-service", "dev.streamparrot.tokenize.TokenizeApplication", 8082, List.of(), false),
            // Chunks as long as the local trainer's cpu-tiny context (the default, 1024, is codeparrot-small's);
            // a small corpus needs a larger valid share to put any repository in the valid split.
            new Service("packer", "packer-service", "dev.streamparrot.packer.PackerApplication", 8083,
                    List.of("streamparrot.packer.seq-length=128", "streamparrot.packer.valid-share=0.05"), false),
            new Service("trainer", "trainer-service", "dev.streamparrot.trainer.TrainerApplication", 8084, List.of(), true),
            new Service("inference", "inference-service", "dev.streamparrot.inference.InferenceApplication", 8000, List.of(), true),
            // the web console; LocalCluster tells it where the others listen
            new Service("console", "console-service", "dev.streamparrot.console.ConsoleApplication", 8080, List.of(), false));

    public static Service named(String name) {
        return ALL.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }
}
