package dev.streamparrot.inference.service;

import dev.streamparrot.model.generate.TokenizerCodec;
import dev.streamparrot.model.generate.GptLanguageModel;
import ai.djl.Device;
import dev.streamparrot.artifacts.ArtifactStore;
import dev.streamparrot.artifacts.ArtifactStores;
import dev.streamparrot.inference.provenance.CheckpointProvenance;
import dev.streamparrot.model.Checkpoint;
import dev.streamparrot.model.DeviceSetting;
import dev.streamparrot.model.Gpt;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Reads a checkpoint (the {@link Checkpoint} contract: weights, config, tokenizer.json) into a
 * {@link LoadedModel}. An announced checkpoint is verified against its sha256 first: a file that changed or
 * arrived half-written is refused ({@link Checkpoint.ChecksumMismatchException}) before it can replace a
 * working model.
 */
public final class CheckpointLoader {
    private final ArtifactStore store;
    private final Device device;

    /** Reads announced checkpoints through this store (which also reads {@code file:} locations) onto {@code device}. */
    public CheckpointLoader(ArtifactStore store, Device device) {
        this.store = store;
        this.device = device;
    }

    /** Reads {@code file:} locations only, onto the device DJL's engine picks (the {@code auto} setting). */
    public CheckpointLoader() {
        this(ArtifactStores.localReader(), DeviceSetting.AUTO.resolve());
    }

    /** Loads an announced checkpoint under its id, {@link Checkpoint#id}. */
    public LoadedModel load(CheckpointAnnouncement announcement) {
        Checkpoint checkpoint = Checkpoint.open(store, announcement.getLocation().toString(), announcement.getSha256().toString());
        return load(checkpoint, Checkpoint.id(announcement.getStep(), announcement.getTokenizerId().toString()),
                CheckpointProvenance.of(announcement));
    }

    /** Loads a local directory without an announcement; its id is {@code <dir name>-<tokenizer id>}. */
    public LoadedModel load(Path dir) {
        return load(new Checkpoint(dir), null, CheckpointProvenance.UNKNOWN);
    }

    /**
     * @param id             the public model id, or null for {@code <dir name>-<tokenizer id>}
     * @param expectedSha256 hex sha256 of model.safetensors
     */
    public LoadedModel load(Path dir, String id, String expectedSha256) {
        Checkpoint checkpoint = new Checkpoint(dir);
        checkpoint.verify(expectedSha256);
        return load(checkpoint, id, CheckpointProvenance.UNKNOWN);
    }

    private LoadedModel load(Checkpoint checkpoint, String id, CheckpointProvenance provenance) {
        Tokenizer tokenizer;
        try {
            tokenizer = Tokenizer.fromFile(checkpoint.tokenizerFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Gpt gpt = Gpt.load(checkpoint.dir(), device);
        if (tokenizer.vocabSize() > gpt.config().vocabSize()) {
            gpt.close();
            throw new IllegalArgumentException("tokenizer has " + tokenizer.vocabSize() + " tokens, the model only "
                    + gpt.config().vocabSize());
        }
        String name = id != null ? id : checkpoint.dir().toAbsolutePath().normalize().getFileName() + "-" + tokenizer.id();
        return new LoadedModel(name, provenance, new GptLanguageModel(gpt), new TokenizerCodec(tokenizer), gpt::close);
    }
}
