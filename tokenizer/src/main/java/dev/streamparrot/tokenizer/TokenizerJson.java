package dev.streamparrot.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads and writes HF's {@code tokenizer.json} and reads GPT-2's {@code encoder.json} + {@code vocab.bpe}. */
final class TokenizerJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TokenizerJson() {}

    static Tokenizer read(String text, String source) throws TokenizerFormatException {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new TokenizerFormatException(source + " is not valid JSON (truncated?): " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) throw new TokenizerFormatException(source + " is not a JSON object");
        JsonNode model = root.get("model");
        if (model == null || !model.isObject()) throw new TokenizerFormatException(source + " has no \"model\" object");
        String type = model.path("type").asText("BPE");
        if (!type.equals("BPE")) throw new TokenizerFormatException(source + ": model type is " + type + ", only BPE is supported");
        if (!model.path("dropout").isNull() && !model.path("dropout").isMissingNode() && model.path("dropout").asDouble() != 0) {
            throw new TokenizerFormatException(source + ": BPE dropout is not supported");
        }
        for (String affix : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            if (!model.path(affix).asText("").isEmpty()) throw new TokenizerFormatException(source + ": " + affix + " is not supported");
        }
        if (!root.path("normalizer").isNull() && !root.path("normalizer").isMissingNode()) {
            throw new TokenizerFormatException(source + ": normalizers are not supported (GPT-2 has none)");
        }
        checkByteLevel(root.get("pre_tokenizer"), source);

        JsonNode vocabNode = model.get("vocab");
        if (vocabNode == null || !vocabNode.isObject()) throw new TokenizerFormatException(source + ": model has no \"vocab\" object");
        Map<String, Integer> vocab = tokenIds(vocabNode, source + ": vocab entry");
        List<String> special = new ArrayList<>();
        JsonNode addedNode = root.path("added_tokens");
        for (JsonNode t : addedNode) {
            if (!t.path("content").isTextual() || !t.path("id").canConvertToInt()) {
                throw new TokenizerFormatException(source + ": added token " + t + " lacks a content or an id");
            }
            String content = t.get("content").asText();
            int id = t.get("id").asInt();
            Integer known = vocab.get(content);
            if (known != null && known != id) {
                throw new TokenizerFormatException(source + ": added token '" + content + "' has id " + id + " but the vocab gives it " + known);
            }
            vocab.put(content, id);
            if (t.path("special").asBoolean(false)) special.add(content);
        }
        String[] tokens = denseVocab(vocab, source);

        JsonNode mergesNode = model.get("merges");
        if (mergesNode == null || !mergesNode.isArray()) throw new TokenizerFormatException(source + ": model has no \"merges\" array");
        List<String[]> merges = new ArrayList<>(mergesNode.size());
        for (JsonNode m : mergesNode) {
            if (m.isTextual()) {
                String[] parts = m.asText().split(" ", -1);
                if (parts.length != 2) throw new TokenizerFormatException(source + ": merge #" + merges.size() + " '" + m.asText() + "' is not two tokens separated by one space");
                merges.add(parts);
            } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
                merges.add(new String[] {m.get(0).asText(), m.get(1).asText()});
            } else {
                throw new TokenizerFormatException(source + ": merge #" + merges.size() + " is " + m + ", neither \"a b\" nor [\"a\", \"b\"]");
            }
        }
        return build(tokens, vocab, merges, special, source);
    }

    /** A JSON object of token → id, in its order; {@code entry} begins the error for an id that is not a non-negative integer. */
    private static Map<String, Integer> tokenIds(JsonNode object, String entry) throws TokenizerFormatException {
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
                throw new TokenizerFormatException(entry + " '" + e.getKey() + "' has id " + e.getValue() + ", not a non-negative integer");
            }
            ids.put(e.getKey(), e.getValue().asInt());
        }
        return ids;
    }

    static Tokenizer readGpt2(Path encoderJson, Path vocabBpe) throws IOException {
        JsonNode encoder;
        try {
            encoder = MAPPER.readTree(Files.readString(encoderJson, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new TokenizerFormatException(encoderJson + " is not valid JSON (truncated?): " + e.getOriginalMessage(), e);
        }
        if (encoder == null || !encoder.isObject()) throw new TokenizerFormatException(encoderJson + " is not a JSON object of token → id");
        Map<String, Integer> vocab = tokenIds(encoder, encoderJson + ": entry");
        String[] tokens = denseVocab(vocab, encoderJson.toString());
        List<String[]> merges = new ArrayList<>();
        List<String> lines = Files.readAllLines(vocabBpe, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty() || (i == 0 && line.startsWith("#version"))) continue;
            String[] parts = line.split(" ", -1);
            if (parts.length != 2) throw new TokenizerFormatException(vocabBpe + " line " + (i + 1) + ": '" + line + "' is not two tokens separated by one space");
            merges.add(parts);
        }
        List<String> special = vocab.containsKey(Tokenizer.END_OF_TEXT) ? List.of(Tokenizer.END_OF_TEXT) : List.of();
        return build(tokens, vocab, merges, special, vocabBpe.toString());
    }

    private static String[] denseVocab(Map<String, Integer> vocab, String source) throws TokenizerFormatException {
        String[] tokens = new String[vocab.size()];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            int id = e.getValue();
            if (id >= tokens.length) throw new TokenizerFormatException(source + ": id " + id + " of '" + e.getKey() + "' is beyond the vocab size " + tokens.length + " (ids must be 0..size-1)");
            if (tokens[id] != null) throw new TokenizerFormatException(source + ": duplicate id " + id + " for '" + tokens[id] + "' and '" + e.getKey() + "'");
            tokens[id] = e.getKey();
        }
        return tokens;
    }

    private static Tokenizer build(String[] tokens, Map<String, Integer> vocab, List<String[]> merges, List<String> special, String source)
            throws TokenizerFormatException {
        int[] left = new int[merges.size()], right = new int[merges.size()];
        for (int r = 0; r < merges.size(); r++) {
            String[] m = merges.get(r);
            for (int side = 0; side < 2; side++) {
                if (!vocab.containsKey(m[side])) throw new TokenizerFormatException(source + ": merge #" + r + " '" + m[0] + " " + m[1] + "' refers to unknown token '" + m[side] + "'");
            }
            left[r] = vocab.get(m[0]);
            right[r] = vocab.get(m[1]);
        }
        try {
            return new Tokenizer(new BpeModel(tokens, left, right), special);
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(source + ": " + e.getMessage(), e);
        }
    }

    private static void checkByteLevel(JsonNode pre, String source) throws TokenizerFormatException {
        if (pre == null || pre.isNull()) throw new TokenizerFormatException(source + " has no pre_tokenizer; only GPT-2's ByteLevel is supported");
        if (!"ByteLevel".equals(pre.path("type").asText())) {
            throw new TokenizerFormatException(source + ": pre_tokenizer is " + pre.path("type").asText("?") + ", only ByteLevel is supported");
        }
        if (pre.path("add_prefix_space").asBoolean(false)) throw new TokenizerFormatException(source + ": ByteLevel add_prefix_space=true is not supported");
        if (!pre.path("use_regex").asBoolean(true)) throw new TokenizerFormatException(source + ": ByteLevel use_regex=false is not supported");
    }

    static String write(Tokenizer tokenizer) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (String content : tokenizer.specialTokens()) {
            added.addObject()
                    .put("id", tokenizer.tokenToId(content))
                    .put("content", content)
                    .put("single_word", false)
                    .put("lstrip", false)
                    .put("rstrip", false)
                    .put("normalized", false)
                    .put("special", true);
        }
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(f, false, true));
        root.set("post_processor", byteLevel(f, true, false));
        root.set("decoder", byteLevel(f, true, true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < tokenizer.vocabSize(); id++) vocab.put(tokenizer.idToToken(id), id);
        ArrayNode merges = model.putArray("merges");
        for (String m : tokenizer.merges()) merges.add(m);
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode byteLevel(JsonNodeFactory f, boolean addPrefixSpace, boolean trimOffsets) {
        return f.objectNode()
                .put("type", "ByteLevel")
                .put("add_prefix_space", addPrefixSpace)
                .put("trim_offsets", trimOffsets)
                .put("use_regex", true);
    }
}
