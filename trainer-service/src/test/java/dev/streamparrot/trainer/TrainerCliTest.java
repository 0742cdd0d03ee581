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
    void aGroupIdMakesTheTrainerAGroupMember() {
        CommandLine cli = TrainerCli.commandLine();
        TrainerSettings alone = TrainerCli.settings(cli.parseArgs("train").subcommand().commandSpec());
        assertNull(alone.group(), "no group id: a single trainer");
        TrainerSettings member = TrainerCli.settings(TrainerCli.commandLine().parseArgs("train", "--group-id", "g1",
                "--group-inner-steps", "7", "--group-quorum", "0.75").subcommand().commandSpec());
        assertEquals("g1", member.group().groupId());
        assertEquals(7, member.group().innerSteps());
        assertEquals(0.75, member.group().quorum());
        assertEquals(0.7, member.group().outerLr(), "DiLoCo's outer learning rate by default");
        assertEquals(0.9, member.group().outerMomentum());
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
