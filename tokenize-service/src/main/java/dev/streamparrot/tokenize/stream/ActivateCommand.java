package dev.streamparrot.tokenize.stream;

import dev.streamparrot.kafka.KafkaSettings;
import dev.streamparrot.schemas.TokenizerActivation;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code activate-tokenizer --id <release>}: the command-line form of POST /tokenizer/activate. */
@Command(name = "activate-tokenizer", mixinStandardHelpOptions = true,
        description = "Make a tokenizer release the current one for source files from now on.")
public final class ActivateCommand implements Callable<Integer> {
    @Option(names = "--id", required = true, description = "the release id (from tokenizer-releases)")
    String tokenizerId;

    @Option(names = "--bootstrap-servers", defaultValue = KafkaSettings.LOCAL_BOOTSTRAP)
    String bootstrapServers;

    @Option(names = "--schema-registry", defaultValue = KafkaSettings.LOCAL_REGISTRY)
    String registryUrl;

    @Option(names = "--by", defaultValue = "${sys:user.name}", description = "who activates (recorded)")
    String activatedBy;

    @Override
    public Integer call() {
        TokenizerActivation activation = new TokenizerActivator(new KafkaSettings(bootstrapServers, registryUrl))
                .activate(tokenizerId, activatedBy);
        System.out.println("activated " + activation.getTokenizerId() + " from source-files offsets "
                + new TreeMap<>(activation.getFromOffsets()));
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ActivateCommand()).execute(args));
    }
}
