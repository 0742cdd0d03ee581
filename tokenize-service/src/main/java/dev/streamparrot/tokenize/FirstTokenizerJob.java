package dev.streamparrot.tokenize;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.schemas.TokenizerRelease;
import dev.streamparrot.tokenize.stream.TokenizerActivator;
import dev.streamparrot.tokenize.train.TrainTokenizerCommand;
import dev.streamparrot.topics.Topics;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code first-tokenizer}: the one-shot job of a fresh deployment (compose service, Kubernetes Job). Unless a
 * tokenizer is active already, it waits until source-files holds enough files, then trains a tokenizer as
 * {@code train-tokenizer} does (its options pass through) and activates it, as the local main job does with
 * the two commands. A rerun after success does nothing, so a restarted job is harmless. Kafka and the
 * registry come from the services' own environment variables, so the job gets the same environment as they do.
 */
@Command(name = "first-tokenizer", mixinStandardHelpOptions = true,
        description = "Train and activate the first tokenizer once source-files has enough files; nothing if one is active.")
public final class FirstTokenizerJob implements Callable<Integer> {
    @Option(names = "--bootstrap-servers", defaultValue = "${env:STREAMPARROT_KAFKA_BOOTSTRAP_SERVERS:-" + KafkaSettings.LOCAL_BOOTSTRAP + "}")
    String bootstrapServers;
    @Option(names = "--schema-registry", defaultValue = "${env:STREAMPARROT_SCHEMA_REGISTRY_URL:-" + KafkaSettings.LOCAL_REGISTRY + "}")
    String schemaRegistry;
    @Option(names = "--min-files", defaultValue = "1", description = "wait until source-files holds this many records (default: ${DEFAULT-VALUE})")
    long minFiles;
    @Option(names = "--wait", defaultValue = "PT1H", description = "give up (exit 1, the job is retried) after this long (default: ${DEFAULT-VALUE})")
    Duration wait;
    @CommandLine.Unmatched
    List<String> trainOptions = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        KafkaSettings settings = new KafkaSettings(bootstrapServers, schemaRegistry);
        if (activations(settings) > 0) {
            System.out.println("a tokenizer is active already (" + Topics.TOKENIZER_ACTIVATIONS.name() + " is not empty): nothing to do");
            return 0;
        }
        long deadline = System.nanoTime() + wait.toNanos();
        for (long files = sourceFiles(settings); files < minFiles; files = sourceFiles(settings)) {
            if (System.nanoTime() > deadline) {
                System.err.printf("source-files holds %,d records after %s, fewer than --min-files %,d%n", files, wait, minFiles);
                return 1;
            }
            System.err.printf("waiting for source-files: %,d of %,d files%n", files, minFiles);
            Thread.sleep(5000);
        }
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", bootstrapServers, "--schema-registry", schemaRegistry));
        args.addAll(trainOptions);
        TrainTokenizerCommand train = new TrainTokenizerCommand();
        new CommandLine(train).parseArgs(args.toArray(String[]::new));
        TokenizerRelease release = train.train();
        var activation = new TokenizerActivator(settings).activate(release.getId(), "first-tokenizer job");
        System.out.println("activated " + activation.getTokenizerId());
        return 0;
    }

    private static long activations(KafkaSettings settings) {
        return records(settings, Topics.TOKENIZER_ACTIVATIONS.name());
    }

    private static long sourceFiles(KafkaSettings settings) {
        return records(settings, Topics.SOURCE_FILES.name());
    }

    /** Records a topic holds now (end minus beginning offsets, over its partitions). */
    private static long records(KafkaSettings settings, String topic) {
        try (var consumer = new KafkaConsumer<byte[], byte[]>(settings.consumer("first-tokenizer"))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            var begin = consumer.beginningOffsets(partitions);
            return consumer.endOffsets(partitions).entrySet().stream().mapToLong(e -> e.getValue() - begin.get(e.getKey())).sum();
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new FirstTokenizerJob()).execute(args));
    }
}
