package dev.streamparrot.trainer.group;

import ai.djl.Device;
import dev.streamparrot.artifacts.ArtifactStore;
import dev.streamparrot.kafka.DeadLetteringDecoder;
import dev.streamparrot.kafka.DeadLetters;
import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.kafka.OutageGuard;
import dev.streamparrot.kafka.TopicAdmin;
import dev.streamparrot.kit.Acked;
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
import dev.streamparrot.schemas.FragmentKind;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.schemas.TrainerFragment;
import dev.streamparrot.topics.Topics;
import dev.streamparrot.trainer.checkpoint.CheckpointStore;
import dev.streamparrot.trainer.data.KafkaChunkSource;
import dev.streamparrot.trainer.data.Sample;
import dev.streamparrot.trainer.data.ValidationChunks;
import dev.streamparrot.trainer.loop.TrainingArgs;
import dev.streamparrot.trainer.loop.TrainingListener;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
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
                    (record, reason) -> Acked.send(producer, RegistryOutage.waitOut(settings.groupId(), () -> deadLetters.record(deadLetters.letter(
                            topics.chunks().name(), record.partition(), record.offset(), null, chunks.serialize(topics.chunks().name(), record.chunk()), reason)))));
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
                new Rounds(new Links(consumer, producer, admin, global, reader, fragments), new Local(model, optimizer, trainStep, fingerprint),
                        latest.orElse(null), role).run();
            }
        }
    }

    /** The member's Kafka ends: its group consumer and producer, the admin client, the round log and its chunk reader. */
    private record Links(KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<byte[], byte[]> producer, Admin admin, RoundLog global,
                         GroupChunkReader reader, AvroSerde<TrainerFragment> fragments) {}

    /** What the member trains: the model, its inner optimizer and step, and the fingerprint every round must carry. */
    private record Local(Gpt model, AdamW optimizer, TrainStep trainStep, String fingerprint) {}

    /** The member's loop, with everything it needs in fields so that it reads top to bottom. */
    private final class Rounds {
        final Links io;
        final Local local;
        final CoordinatorRole role;
        RoundLog.Round current;
        long lastRoundBytes;
        boolean restorePending = true; // the first round this member trains may resume its inner state

        Rounds(Links io, Local local, RoundLog.Round latest, CoordinatorRole role) {
            this.io = io;
            this.local = local;
            this.current = latest;
            this.role = role;
        }

        void run() throws InterruptedException {
            try {
                while (current == null) {
                    role.sync();
                    current = io.global().next(-1, Duration.ofMillis(200)).orElse(null);
                    io.reader().poll(Duration.ZERO);
                }
                while (!stopRequested && current.header().getInnerSteps() < args.maxTrainSteps()) {
                    long started = System.nanoTime();
                    long readBefore = io.global().bytesRead();
                    Sent sent = train(current);
                    RoundLog.Round next = null;
                    long lastDataCheck = System.nanoTime();
                    while (next == null && !stopRequested) {
                        role.sync();
                        if (role.active()) role.coordinate(current.header().getTokens());
                        next = io.global().next(current.round(), Duration.ofMillis(role.active() ? 10 : 200)).orElse(null);
                        io.reader().poll(Duration.ZERO);
                        if (next == null && sent.empty() && System.nanoTime() - lastDataCheck > settings.dataWait().toNanos()) {
                            lastDataCheck = System.nanoTime();
                            io.reader().startRound();
                            if (io.reader().hasMore()) sent = train(current); // chunks arrived: this round can still use them
                        }
                        if (next == null && !sent.empty()
                                && System.nanoTime() - sent.at() > settings.roundTimeout().plus(settings.dataWait()).toNanos()) {
                            // no next round long after this member contributed: the coordinator may have refused it (say,
                            // while the group rebalanced and this member's id changed). Train the round again; a duplicate
                            // of an accepted contribution is refused, so nothing is counted twice.
                            LOG.info("trainer group {}: round {} still open {} s after this member contributed; contributing again",
                                    settings.groupId(), current.round(), settings.roundTimeout().plus(settings.dataWait()).toSeconds());
                            sent = train(current);
                        }
                    }
                    if (next == null) break;
                    if (settings.checkpointed(next.round(), next.header().getInnerSteps(), args.maxTrainSteps())) {
                        synchronized (TORCH) {
                            memberState.save(next.header().getInnerSteps(), Math.max(size, 1), local.optimizer());
                        }
                    }
                    lastRoundBytes = sent.bytes() + io.global().bytesRead() - readBefore;
                    double seconds = (System.nanoTime() - started) / 1e9;
                    status.update(s -> new GroupStatus.Snapshot(s.memberId(), s.partitions(), s.coordinator(), s.round(), s.innerStep(),
                            s.groupSize(), seconds, lastRoundBytes, s.bytesExchanged() + lastRoundBytes, s.tokensExchanged(), s.refused(),
                            s.lateDropped()));
                    current = next;
                }
                role.finish();
            } finally {
                role.close();
            }
        }

        /** The contribution a round ended with. */
        record Sent(boolean empty, long bytes, long at) {}

        Sent train(RoundLog.Round round) throws InterruptedException {
            if (!allFinite(ParamVector.read(local.model()))) {
                throw new IllegalStateException("the member's parameters are not finite: it cannot take the global parameters in place");
            }
            ParamVector.write(local.model(), round.values());
            if (listeners.stream().anyMatch(l -> l instanceof GroupListener)) {
                float[] start = ParamVector.read(local.model());
                listeners.forEach(l -> { if (l instanceof GroupListener g) g.roundStarted(round.round(), start); });
            }
            membership.startRound();
            io.reader().startRound();
            long base = round.header().getInnerSteps();
            long steps = Math.min(settings.innerSteps(), args.maxTrainSteps() - base);
            int perUpdate = args.trainBatchSize() * args.gradientAccumulationSteps();
            List<Sample> trained = new ArrayList<>();
            long h = 0, tokens = 0, waitUntil = System.nanoTime() + settings.dataWait().toNanos();
            publishStatus(round.round(), 0);
            if (restorePending) {
                restorePending = false;
                String outcome;
                synchronized (TORCH) {
                    outcome = memberState.restore(base, Math.max(size, 1), local.optimizer());
                }
                LOG.info("trainer group {}: {}", settings.groupId(), outcome);
            }
            while (h < steps && !membership.revokedThisRound() && !stopRequested) {
                List<Sample> batch = io.reader().nextBatch(perUpdate);
                if (batch.isEmpty()) {
                    if (h == 0 && System.nanoTime() < waitUntil) {
                        io.reader().poll(Duration.ofMillis(100));
                        continue;
                    }
                    break;
                }
                List<int[][]> micro = new ArrayList<>();
                for (int i = 0; i < batch.size(); i += args.trainBatchSize()) {
                    micro.add(batch.subList(i, Math.min(batch.size(), i + args.trainBatchSize())).stream().map(Sample::ids).toArray(int[][]::new));
                }
                long t0 = System.nanoTime();
                TrainStep.Result r;
                synchronized (TORCH) {
                    r = local.trainStep().run(micro, base + h);
                }
                h++;
                long batchTokens = (long) batch.size() * args.seqLength();
                tokens += batchTokens;
                trained.addAll(batch);
                double tokensPerSecond = batchTokens / ((System.nanoTime() - t0) / 1e9);
                listeners.forEach(l -> l.updated(r, tokensPerSecond));
                if (r.step() % args.logInterval() == 0) {
                    Map<String, Double> s = new LinkedHashMap<>();
                    s.put("loss/train", r.loss());
                    s.put("lr", r.lr());
                    s.put("tokens/s", tokensPerSecond);
                    listeners.forEach(l -> l.scalars(r.step(), s));
                }
                publishStatus(round.round(), h);
                io.reader().poll(Duration.ZERO); // rebalance callbacks; a revoked partition ends the round early
            }
            String id = UUID.randomUUID().toString();
            float[] params = h > 0 ? ParamVector.read(local.model()) : null;
            Fragments.Header header = new Fragments.Header(settings.groupId(), FragmentKind.CONTRIBUTION, round.round(),
                    io.consumer().groupMetadata().memberId(), id, local.fingerprint(), tokens, h, h > 0 ? io.reader().ranges() : List.of(), List.of());
            long bytes = 0;
            for (TrainerFragment f : Fragments.cut(header, params)) {
                byte[] value = RegistryOutage.waitOut(settings.groupId(), () -> io.fragments().serialize(topics.contributions().name(), f));
                bytes += value.length;
                io.producer().send(new ProducerRecord<>(topics.contributions().name(), Fragments.key(f).getBytes(StandardCharsets.UTF_8), value));
            }
            io.producer().flush();
            long sentTokens = tokens;
            status.update(s -> new GroupStatus.Snapshot(s.memberId(), s.partitions(), s.coordinator(), s.round(), s.innerStep(), s.groupSize(),
                    s.lastRoundSeconds(), s.lastRoundBytes(), s.bytesExchanged(), s.tokensExchanged() + sentTokens, s.refused(), s.lateDropped()));
            listeners.forEach(l -> { if (l instanceof GroupListener g) g.contributed(id, round.round(), List.copyOf(trained)); });
            return new Sent(h == 0, bytes, System.nanoTime());
        }

        /** Live members of the group now (asked once a round; the status's figure only). */
        int groupSize() {
            try {
                return io.admin().describeConsumerGroups(List.of(settings.groupId())).all().get(10, java.util.concurrent.TimeUnit.SECONDS)
                        .get(settings.groupId()).members().size();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return status.snapshot().groupSize();
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                return status.snapshot().groupSize();
            }
        }

        int size;

        void publishStatus(long round, long innerStep) {
            if (innerStep == 0) size = groupSize();
            status.update(s -> new GroupStatus.Snapshot(io.consumer().groupMetadata().memberId(), membership.ownedPartitions(), role.active(), round,
                    innerStep, Math.max(size, 1), s.lastRoundSeconds(), s.lastRoundBytes(), s.bytesExchanged(), s.tokensExchanged(),
                    role.active() ? role.refused() : s.refused(), role.active() ? role.lateDropped() : s.lateDropped()));
        }
    }

    private static boolean allFinite(float[] v) {
        for (float x : v) if (!Float.isFinite(x)) return false;
        return true;
    }
}
