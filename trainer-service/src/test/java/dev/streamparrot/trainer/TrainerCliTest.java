package dev.streamparrot.trainer;

import dev.streamparrot.trainer.data.AtEnd;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerCliTest {
    @Test
    void optionsUnderTheBooksNamesOverrideTheProfile() {
        CommandLine cli = TrainerCli.commandLine();
        CommandLine.ParseResult parsed = cli.parseArgs("train", "--profile", "cpu-small", "--max_train_steps", "7",
                "--learning-rate", "3e-4", "--at_end", "wait", "--run-id", "mine", "--data-dir", "/tmp/x");
        TrainerSettings s = TrainerCli.settings(parsed.subcommand().commandSpec());
        assertEquals("cpu-small", s.args().model());
        assertEquals(7, s.args().maxTrainSteps());
        assertEquals(3e-4, s.args().learningRate());
        assertEquals(AtEnd.WAIT, s.args().atEnd());
        assertEquals(256, s.args().seqLength(), "the profile's value where no option is given");
        assertEquals("mine", s.runId());
        assertEquals(Path.of("/tmp/x/checkpoints"), s.checkpointDir());
        assertNull(s.tokenizerId());
        assertEquals("127.0.0.1:19092", s.kafka().bootstrapServers());
    }

    @Test
    void helpListsEveryTrainingArgument() {
        StringWriter out = new StringWriter();
        CommandLine cli = TrainerCli.commandLine();
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute("train", "--help"));
        for (String key : dev.streamparrot.trainer.loop.TrainingArgs.KEYS.keySet()) {
            assertTrue(out.toString().contains("--" + key), key + " in\n" + out);
        }
    }
}
