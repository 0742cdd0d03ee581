package dev.streamparrot.deploy;

import java.util.List;

/** The five services of the system, where their code is built and which port each serves on locally. */
public final class ServiceCatalog {
    private ServiceCatalog() {}

    /** @param module the Maven module folder, whose target/ holds classes and classpath.txt */
    public record Service(String name, String module, String mainClass, int port) {}

    public static final List<Service> ALL = List.of(
            new Service("ingest", "ingest-service", "dev.streamparrot.ingest.IngestApplication", 8081),
            new Service("tokenize", "tokenize-service", "dev.streamparrot.tokenize.TokenizeApplication", 8082),
            new Service("packer", "packer-service", "dev.streamparrot.packer.PackerApplication", 8083),
            new Service("trainer", "trainer-service", "dev.streamparrot.trainer.TrainerApplication", 8084),
            new Service("inference", "inference-service", "dev.streamparrot.inference.InferenceApplication", 8000));
}
