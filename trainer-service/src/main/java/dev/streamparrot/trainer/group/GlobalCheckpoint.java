package dev.streamparrot.trainer.group;

import dev.streamparrot.artifacts.Manifest;
import dev.streamparrot.kit.Sends;
import dev.streamparrot.model.Checkpoint;
import dev.streamparrot.model.Gpt;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.schemas.PartitionOffset;
import dev.streamparrot.topics.Topics;
import dev.streamparrot.trainer.checkpoint.CheckpointStore;
import dev.streamparrot.trainer.data.ValidationChunks;
import dev.streamparrot.trainer.loop.Evaluation;
import dev.streamparrot.trainer.loop.TrainingListener;
import dev.streamparrot.trainer.loop.Validation;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The coordinator's checkpoint of the global model, every K rounds and at the end: evaluated on the validation
 * chunks, written with {@code group_state.json}, published through the artifact store, announced on checkpoints
 * (the frontier is the round's committed offsets), and its eval loss given to the global model's listeners.
 */
record GlobalCheckpoint(GroupMember.Run run, String groupId, Model model, ValidationChunks validation, Producer<byte[], byte[]> producer,
                        AvroSerde<CheckpointAnnouncement> announcements, List<TrainingListener> globalListeners) {
    private static final Logger LOG = LoggerFactory.getLogger(GlobalCheckpoint.class);

    /** The model the checkpoint is of: the member's model (its parameters are overwritten), tokenizer and vocabulary. */
    record Model(Gpt gpt, String tokenizerId, int vocab, Path tokenizerJson) {}

    GlobalCheckpoint {
        globalListeners = List.copyOf(globalListeners);
    }

    /** Checkpoints the global model of state {@code s}; the caller holds libtorch ({@code torch}) only for the evaluation. */
    void write(Coordinator.State s, Object torch) {
        Evaluation eval;
        synchronized (torch) {
            ParamVector.write(model.gpt(), s.params());
            eval = new Validation(validation, run.args()).evaluate(model.gpt(), model.tokenizerId(), model.vocab());
        }
        Double evalLoss = eval.sequences() > 0 ? eval.loss() : null;
        CheckpointStore store = run.checkpoints();
        Path dir = store.write(run.runId(), s.innerSteps(), tmp -> {
            model.gpt().save(tmp);
            if (model.tokenizerJson() != null) Files.copy(model.tokenizerJson(), tmp.resolve(Checkpoint.TOKENIZER_FILE));
            GroupState.of(groupId, s).write(tmp);
        });
        Manifest published = store.publish(run.runId(), dir); // visible to readers only once complete
        List<PartitionOffset> frontier = s.trainedUpTo().entrySet().stream()
                .sorted(Map.Entry.comparingByKey()).map(e -> new PartitionOffset(e.getKey(), e.getValue())).toList();
        CheckpointAnnouncement a = CheckpointAnnouncement.newBuilder()
                .setRunId(run.runId()).setStep(s.innerSteps()).setTokenizerId(model.tokenizerId())
                .setEvalLoss(evalLoss).setPerplexity(evalLoss == null ? null : eval.perplexity())
                .setLocation(published.location()).setSha256(published.entry(Checkpoint.WEIGHTS_FILE).orElseThrow().sha256()).setCreatedAt(Instant.now())
                .setFrontier(frontier).setRound(s.round()).setTokensTrained(s.tokens())
                .build();
        byte[] value = RegistryOutage.waitOut(groupId, () -> announcements.serialize(Topics.CHECKPOINTS.name(), a));
        Sends.acknowledged(producer, new ProducerRecord<>(Topics.CHECKPOINTS.name(), (a.getRunId() + "/" + a.getStep()).getBytes(StandardCharsets.UTF_8), value),
                "the announcement of " + a.getRunId() + " step " + a.getStep());
        if (evalLoss != null) {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("loss/eval", evalLoss);
            m.put("perplexity", eval.perplexity());
            globalListeners.forEach(l -> l.scalars(s.innerSteps(), m));
        }
        globalListeners.forEach(l -> l.checkpointed(a));
        LOG.info("trainer group {}: checkpoint of round {} at {} (eval loss {})", groupId, s.round(), dir, evalLoss);
    }
}
