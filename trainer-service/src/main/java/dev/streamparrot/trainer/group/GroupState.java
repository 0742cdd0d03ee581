package dev.streamparrot.trainer.group;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * A group checkpoint's own file, {@code group_state.json}: which round of which group the weights are, how many inner
 * steps and tokens they hold, and the data frontier (per chunks-train partition, every chunk below was trained on).
 * Resume itself needs no file: the committed round on trainer-global/trainer-outer and the group's offsets are the state.
 */
record GroupState(String groupId, long round, long innerSteps, long tokens, Map<Integer, Long> frontier) {
    static final String FILE = "group_state.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static GroupState of(String groupId, Coordinator.State s) {
        return new GroupState(groupId, s.round(), s.innerSteps(), s.tokens(), new TreeMap<>(s.trainedUpTo()));
    }

    void write(Path dir) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("group_id", groupId);
        root.put("round", round);
        root.put("inner_steps", innerSteps);
        root.put("tokens", tokens);
        ObjectNode f = root.putObject("frontier");
        frontier.forEach((p, o) -> f.put(p.toString(), o));
        JSON.writeValue(dir.resolve(FILE).toFile(), root);
    }
}
