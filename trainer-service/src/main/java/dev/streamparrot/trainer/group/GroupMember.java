package dev.streamparrot.trainer.group;

import ai.djl.Device;
import dev.streamparrot.artifacts.ArtifactStore;
import dev.streamparrot.kafka.DeadLetteringDecoder;
import dev.streamparrot.kafka.DeadLetters;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.OutageGuard;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.kit.Sends;
import dev.streamparrot.model.AdamW;
import dev.streamparrot.model.Checkpoint;
import dev.streamparrot.model.Gpt;
import dev.streamparrot.model.GptConfig;
import dev.streamparrot.model.LrSchedule;
import dev.streamparrot.model.TrainStep;
import dev.streamparrot.registry.AvroSerde;
import dev.streamparrot.registry.SchemaRegistryClient;
import dev.streamparrot.schemas.CheckpointAnnouncement;
import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.ChunkCheck;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.schemas.TrainerFragment;
import dev.streamparrot.topics.Topics;
import dev.streamparrot.trainer.checkpoint.CheckpointStore;
import dev.streamparrot.trainer.data.KafkaChunkSource;
import dev.streamparrot.trainer.data.ValidationChunks;
import dev.streamparrot.trainer.loop.TrainingArgs;
import dev.streamparrot.trainer.loop.TrainingListener;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * One member of a trainer group (DiLoCo over Kafka). It joins the group's consumer group on chunks-train (and on
 * the one-partition trainer-coordinator topic, whose owner holds the outer step), and repeats:
 * <ol>
 *   <li>take the latest global parameters G_r (trainer-global) into its model;</li>
 *   <li>run up to H inner AdamW steps on its own partitions' chunks, from the group's committed offsets
 *       (its AdamW moments stay local; the learning rate follows the group's inner-step position);</li>
 *   <li>send its contribution (local parameters, tokens, the chunk ranges it trained) as fragments on
 *       trainer-contributions; nothing when it had no chunks but an empty contribution that says so;</li>
 *   <li>wait for G_{r+1}; the coordinator, meanwhile, judges contributions and closes the round ({@link Coordinator}).</li>
 * </ol>
 */
public final class GroupMember {
    private static final Logger LOG = LoggerFactory.getLogger(GroupMember.class);
    /** libtorch allows one GradientCollector per JVM, and its dropout generator is global: one update at a time. */
    static final Object TORCH = new Object();

    /** The run: names, arguments, where checkpoints and logs go. */
    public record Run(String runId, TrainingArgs args, String tokenizerId, int fallbackVocabSize, CheckpointStore checkpoints,
                      Device device) {
        /** A run on the CPU whose checkpoints are published to a directory store beside {@code checkpointDir} (tests). */
        public Run(String runId, TrainingArgs args, String tokenizerId, int fallbackVocabSize, Path checkpointDir) {
            this(runId, args, tokenizerId, fallbackVocabSize, new CheckpointStore(checkpointDir), Device.cpu());
        }
    }

    // where it trains, and with whom
    private final KafkaSettings kafka;
    private final GroupSettings settings;
    private final GroupTopics topics;
    private final Map<String, Object> consumerOverrides;

    // what it trains
    private final Run run;
    private final TrainingArgs args;
    private final Function<String, Optional<TokenizerRelease>> releases;

    // who hears of it
    private final List<TrainingListener> listeners;
    private final List<TrainingListener> globalListeners;
    private final GroupStatus status;

    // what changes while it runs
    private final Membership membership;
    private MemberCheckpoint memberState;
    private volatile boolean stopRequested;

    /**
     * @param listeners         hear this member's updates (its TensorBoard log, status); {@link GroupListener}s also its rounds
     * @param globalListeners   hear the global model's figures while this member coordinates (the group's TensorBoard log)
     * @param consumerOverrides extra settings of the member's consumer (tests shorten the session timeout)
     * @param releases          the tokenizer release of an id (tokenizer-releases in the service)
     */
    public GroupMember(KafkaSettings kafka, GroupSettings settings, GroupTopics topics, Run run, List<TrainingListener> listeners,
                       List<TrainingListener> globalListeners, GroupStatus status, Map<String, Object> consumerOverrides,
                       Function<String, Optional<TokenizerRelease>> releases) {
        this.releases = releases;
        this.kafka = kafka;
        this.settings = settings;
        this.topics = topics;
        this.membership = new Membership(topics);
        this.run = run;
        this.args = run.args();
        this.listeners = List.copyOf(listeners);
        this.globalListeners = List.copyOf(globalListeners);
        this.status = status;
        this.consumerOverrides = Map.copyOf(consumerOverrides);
    }

    /** Ends the member after its current inner step: it contributes what it trained and leaves the group. */
    public void requestStop() {
        stopRequested = true;
    }

    /** The group's topics, created where missing. */
    public static void ensureTopics(String bootstrapServers, GroupTopics topics) {
        List<dev.streamparrot.topics.Topic<?>> all = new ArrayList<>(topics.all());
        all.addAll(List.of(Topics.CHECKPOINTS, Topics.TOKENIZER_RELEASES, Topics.DEAD_LETTERS));
        TopicAdmin.ensure(bootstrapServers, all, (short) 1);
    }

    /** Trains with the group until the global model reached max_train_steps inner steps, or {@link #requestStop}. */
    public void run() throws InterruptedException {
        ensureTopics(kafka.bootstrapServers(), topics);
        SchemaRegistryClient registry = new SchemaRegistryClient(kafka.schemaRegistryUrl());
        AvroSerde<TrainerFragment> fragments = new AvroSerde<>(TrainerFragment.class, registry);
        AvroSerde<Chunk> chunks = new AvroSerde<>(Chunk.class, registry);
        DeadLetters deadLetters = new DeadLetters(Coordinator.SERVICE, registry);
        Map<String, Object> consumerConfig = kafka.consumer(settings.groupId());
        consumerConfig.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        consumerConfig.putAll(consumerOverrides);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer(Coordinator.SERVICE + "-" + settings.groupId()));
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
             RoundLog global = new RoundLog(topics.global().name(), settings.groupId(), kafka.consumer("-"), fragments)) {
            DeadLetteringDecoder<Chunk> decoder = new DeadLetteringDecoder<>(chunks, deadLetters, producer,
                    new OutageGuard(kafka.bootstrapServers()));
            GroupChunkReader reader = new GroupChunkReader(topics.chunks().name(), consumer, decoder,
                    (record, reason) -> Sends.acknowledged(producer, RegistryOutage.waitOut(settings.groupId(), () -> deadLetters.record(deadLetters.letter(
                            topics.chunks().name(), record.partition(), record.offset(), null, chunks.serialize(topics.chunks().name(), record.chunk()), reason))), "a dead letter"));
            consumer.subscribe(List.of(topics.chunks().name(), topics.coordinator().name()), membership);
            while (consumer.groupMetadata().generationId() < 0) reader.poll(Duration.ofMillis(100));

            Optional<RoundLog.Round> latest = global.latest();
            String tokenizerId = latest.map(r -> ParamVector.tokenizerOf(r.header().getFingerprint()))
                    .orElseGet(() -> run.tokenizerId() != null ? run.tokenizerId()
                            : GroupChunkReader.firstTokenizer(kafka, topics.chunks().name(), chunks, args.seqLength()));
            Optional<TokenizerRelease> release = releases.apply(tokenizerId);
            int vocab = release.map(TokenizerRelease::getVocabSize).orElse(run.fallbackVocabSize());
            GptConfig config = GptConfig.preset(args.model(), vocab);
            if (release.isPresent()) config = config.withSpecialTokens(release.get().getEosId(), release.get().getEosId());
            reader.setCheck(new ChunkCheck(tokenizerId, args.seqLength(), vocab));
            Gpt created;
            synchronized (TORCH) {
                created = Gpt.create(config, args.seed(), run.device());
            }
            try (Gpt model = created;
                 AdamW optimizer = new AdamW(model.parameters(), new AdamW.Settings(0.9, 0.999, 1e-8, args.weightDecay()));
                 KafkaChunkSource validation = new KafkaChunkSource(topics.valid().name(), kafka.consumer(settings.groupId() + "-eval"), decoder)) {
                String fingerprint = ParamVector.fingerprint(tokenizerId, config, ParamVector.size(model));
                latest.ifPresent(r -> {
                    if (!r.header().getFingerprint().equals(fingerprint)) {
                        throw new IllegalStateException("trainer group " + settings.groupId() + " trains " + r.header().getFingerprint()
                                + ", this member's settings make " + fingerprint);
                    }
                });
                Path tokenizerJson = release.map(r -> run.checkpoints().artifacts().get(r.getLocation(),
                        new ArtifactStore.Expected(Checkpoint.TOKENIZER_FILE, r.getSha256()))).orElse(null);
                memberState = new MemberCheckpoint(run.checkpoints().artifacts(), run.runId(), settings.member());
                GlobalCheckpoint checkpoint = new GlobalCheckpoint(run, settings.groupId(),
                        new GlobalCheckpoint.Model(model, tokenizerId, vocab, tokenizerJson), new ValidationChunks(validation), producer,
                        new AvroSerde<>(CheckpointAnnouncement.class, registry), globalListeners);
                CoordinatorRole role = new CoordinatorRole(settings, consumer, membership, checkpoint, () -> new Coordinator(kafka, settings,
                        topics, fingerprint, fragments, deadLetters, admin, consumer.groupMetadata(),
                        GroupChunkReader.beginnings(consumer, topics.chunks().name()), () -> ParamVector.read(model)));
                TrainStep trainStep = new TrainStep(model, optimizer, LrSchedule.of(args.lrSchedulerType(), args.learningRate(),
                        args.numWarmupSteps(), args.maxTrainSteps()), args.seed());
                new RoundLoop(new RoundLoop.Member(settings, args, topics, listeners, status, membership, memberState, () -> stopRequested),
                        new RoundLoop.Links(consumer, producer, admin, global, reader, fragments),
                        new RoundLoop.Local(model, optimizer, trainStep, fingerprint), latest.orElse(null), role).run();
            }
        }
    }

}
