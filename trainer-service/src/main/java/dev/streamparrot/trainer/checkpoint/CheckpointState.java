package dev.streamparrot.trainer.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamparrot.trainer.data.DataState;
import dev.streamparrot.trainer.data.DatasetState;
import dev.streamparrot.trainer.data.FreshReplayMix;
import dev.streamparrot.trainer.data.FreshReplayState;
import dev.streamparrot.trainer.data.Sample;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The trainer's part of a checkpoint, beside the model and optimizer files: {@code trainer_state.json}
 * (step, evaluation, the args, the scheduler, and the dataset's state: for {@code epochs} the merge position,
 * end offsets and shuffle generator, for {@code fresh-replay} the mix's picks, generator, cursor and frontier)
 * and, for {@code epochs}, {@code shuffle_buffer.bin} (the chunks in the shuffle buffer, slot by slot:
 * partition int32, offset int64, length int32, ids int32 each; big-endian).
 */
public record CheckpointState(String runId, long step, Double evalLoss, Double perplexity, Map<String, String> args,
                           DatasetState data) {
    public static final String STATE_FILE = "trainer_state.json";
    public static final String BUFFER_FILE = "shuffle_buffer.bin";
    private static final int BUFFER_MAGIC = 0x53505342; // "SPSB"
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public void write(Path dir) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("run_id", runId);
        root.put("step", step);
        root.put("tokenizer_id", data.tokenizerId());
        if (evalLoss != null) root.put("eval_loss", evalLoss);
        if (perplexity != null) root.put("perplexity", perplexity.toString()); // a string: JSON has no Infinity
        ObjectNode a = root.putObject("args");
        args.forEach(a::put);
        // the schedule is a function of the update count: this is all the scheduler state there is
        ObjectNode s = root.putObject("scheduler");
        s.put("type", args.get("lr_scheduler_type"));
        s.put("last_step", step);
        ObjectNode d = root.putObject("data");
        if (data instanceof FreshReplayState fresh) {
            d.put("kind", "fresh-replay");
            d.put("picks", fresh.mix().picks());
            d.put("rng_state", fresh.mix().rng());
            d.put("cursor", fresh.mix().cursor());
            ObjectNode frontier = d.putObject("frontier");
            new TreeMap<>(fresh.mix().frontier()).forEach((p, o) -> frontier.put(p.toString(), o));
            JSON.writeValue(dir.resolve(STATE_FILE).toFile(), root);
            return;
        }
        writeEpochs((DataState) data, root, d, dir);
    }

    private static void writeEpochs(DataState data, ObjectNode root, ObjectNode d, Path dir) throws IOException {
        d.put("kind", "epochs");
        d.put("epoch", data.epoch());
        d.put("samples_this_epoch", data.samplesThisEpoch());
        d.put("cursor", data.cursor());
        d.put("rng_state", data.rng());
        d.put("shuffle_capacity", data.capacity());
        d.put("buffered", data.buffer().size());
        ObjectNode next = d.putObject("next_offsets");
        new TreeMap<>(data.next()).forEach((p, o) -> next.put(p.toString(), o));
        ObjectNode ends = d.putObject("end_offsets");
        new TreeMap<>(data.ends()).forEach((p, o) -> ends.put(p.toString(), o));
        JSON.writeValue(dir.resolve(STATE_FILE).toFile(), root);

        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(dir.resolve(BUFFER_FILE)), 1 << 16))) {
            out.writeInt(BUFFER_MAGIC);
            out.writeInt(data.buffer().size());
            for (Sample sample : data.buffer()) {
                out.writeInt(sample.partition());
                out.writeLong(sample.offset());
                out.writeInt(sample.ids().length);
                for (int id : sample.ids()) out.writeInt(id);
            }
        }
    }

    public static CheckpointState read(Path dir) throws IOException {
        JsonNode root = JSON.readTree(dir.resolve(STATE_FILE).toFile());
        Map<String, String> args = new LinkedHashMap<>();
        root.get("args").fields().forEachRemaining(e -> args.put(e.getKey(), e.getValue().asText()));
        JsonNode d = root.get("data");
        Double evalLoss = root.has("eval_loss") ? root.get("eval_loss").asDouble() : null;
        Double perplexity = root.has("perplexity") ? Double.valueOf(root.get("perplexity").asText()) : null;
        DatasetState data = d.path("kind").asText("epochs").equals("fresh-replay")
                ? new FreshReplayState(root.get("tokenizer_id").asText(), new FreshReplayMix.State(d.get("picks").asLong(),
                        d.get("rng_state").asLong(), d.get("cursor").asInt(), offsets(d.get("frontier"))))
                : readEpochs(root, d, dir);
        return new CheckpointState(root.get("run_id").asText(), root.get("step").asLong(), evalLoss, perplexity, args, data);
    }

    private static DataState readEpochs(JsonNode root, JsonNode d, Path dir) throws IOException {
        List<Sample> buffer = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(dir.resolve(BUFFER_FILE)), 1 << 16))) {
            if (in.readInt() != BUFFER_MAGIC) throw new IOException(dir.resolve(BUFFER_FILE) + " is not a shuffle buffer file");
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                int partition = in.readInt();
                long offset = in.readLong();
                int[] ids = new int[in.readInt()];
                for (int j = 0; j < ids.length; j++) ids[j] = in.readInt();
                buffer.add(new Sample(partition, offset, ids));
            }
        }
        return new DataState(root.get("tokenizer_id").asText(), d.get("epoch").asLong(),
                d.get("samples_this_epoch").asLong(), d.get("cursor").asInt(), d.get("rng_state").asLong(),
                d.get("shuffle_capacity").asInt(), offsets(d.get("next_offsets")), offsets(d.get("end_offsets")), buffer);
    }

    private static Map<Integer, Long> offsets(JsonNode node) {
        Map<Integer, Long> m = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            m.put(Integer.parseInt(e.getKey()), e.getValue().asLong());
        }
        return m;
    }
}
