package dev.streamparrot.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code config.json} and {@code generation_config.json} in Hugging Face's format, byte for byte as
 * {@code transformers} writes them (sorted keys, Python float spelling, {@link PyJson}).
 */
final class HfConfigJson {
    private HfConfigJson() {
    }

    /** The config.json content: HF keys, sorted, 2-space indent, Python float spelling (1e-05). */
    static String config(GptConfig c) {
        Map<String, Object> m = new TreeMap<>();
        m.put("activation_function", c.activationFunction());
        m.put("architectures", List.of("GPT2LMHeadModel"));
        m.put("attn_pdrop", c.attnPdrop());
        m.put("bos_token_id", c.bosTokenId());
        m.put("embd_pdrop", c.embdPdrop());
        m.put("eos_token_id", c.eosTokenId());
        m.put("initializer_range", c.initializerRange());
        m.put("layer_norm_epsilon", c.layerNormEpsilon());
        m.put("model_type", "gpt2");
        m.put("n_ctx", c.nPositions());
        m.put("n_embd", c.nEmbd());
        m.put("n_head", c.nHead());
        m.put("n_inner", null);
        m.put("n_layer", c.nLayer());
        m.put("n_positions", c.nPositions());
        m.put("reorder_and_upcast_attn", false);
        m.put("resid_pdrop", c.residPdrop());
        m.put("scale_attn_by_inverse_layer_idx", false);
        m.put("scale_attn_weights", true);
        m.put("summary_activation", null);
        m.put("summary_first_dropout", 0.1);
        m.put("summary_proj_to_labels", true);
        m.put("summary_type", "cls_index");
        m.put("summary_use_proj", true);
        m.put("tie_word_embeddings", c.tieWordEmbeddings());
        m.put("torch_dtype", "float32");
        m.put("use_cache", true);
        m.put("vocab_size", c.vocabSize());
        return PyJson.write(m);
    }

    static String generationConfig(GptConfig c) {
        Map<String, Object> m = new TreeMap<>();
        m.put("_from_model_config", true);
        m.put("bos_token_id", c.bosTokenId());
        m.put("eos_token_id", c.eosTokenId());
        return PyJson.write(m);
    }

    static GptConfig parse(String json) {
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("config.json is not JSON", e);
        }
        String type = n.path("model_type").asText("gpt2");
        if (!type.equals("gpt2")) {
            throw new IllegalArgumentException("model_type " + type + " is not gpt2");
        }
        int nEmbd = n.path("n_embd").asInt(768);
        if (!n.path("n_inner").isMissingNode() && !n.path("n_inner").isNull() && n.path("n_inner").asInt() != 4 * nEmbd) {
            throw new IllegalArgumentException("n_inner other than 4*n_embd is not implemented");
        }
        if (n.path("scale_attn_by_inverse_layer_idx").asBoolean(false) || n.path("reorder_and_upcast_attn").asBoolean(false)
                || !n.path("scale_attn_weights").asBoolean(true)) {
            throw new IllegalArgumentException("non-default attention scaling flags are not implemented");
        }
        int vocab = n.path("vocab_size").asInt(50257);
        // n_ctx is the pre-2021 name of n_positions; old checkpoints carry only it
        int nPos = n.has("n_positions") ? n.get("n_positions").asInt() : n.path("n_ctx").asInt(1024);
        return new GptConfig(vocab, nPos, nEmbd, n.path("n_layer").asInt(12), n.path("n_head").asInt(12),
                n.path("activation_function").asText("gelu_new"),
                n.path("resid_pdrop").asDouble(0.1), n.path("embd_pdrop").asDouble(0.1), n.path("attn_pdrop").asDouble(0.1),
                n.path("layer_norm_epsilon").asDouble(1e-5), n.path("initializer_range").asDouble(0.02),
                n.path("bos_token_id").asInt(50256), n.path("eos_token_id").asInt(50256),
                n.path("tie_word_embeddings").asBoolean(true));
    }
}
