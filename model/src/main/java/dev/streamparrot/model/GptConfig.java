package dev.streamparrot.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * GPT-2 hyper-parameters, named and serialised like Hugging Face's {@code GPT2Config} so that a
 * {@code config.json} written here loads in {@code transformers} and vice versa.
 *
 * <p>Only what our {@link Gpt} implements is representable: MLP width 4·n_embd, activation gelu_new,
 * tied LM head. Reading a config that asks for something else fails instead of silently differing.
 */
public record GptConfig(
        int vocabSize,
        int nPositions,
        int nEmbd,
        int nLayer,
        int nHead,
        String activationFunction,
        double residPdrop,
        double embdPdrop,
        double attnPdrop,
        double layerNormEpsilon,
        double initializerRange,
        int bosTokenId,
        int eosTokenId,
        boolean tieWordEmbeddings) {

    public static final String CONFIG_FILE = "config.json";
    public static final String GENERATION_CONFIG_FILE = "generation_config.json";

    /** Names accepted by {@link #preset}; the CPU presets take their vocabulary size from the tokenizer. */
    public static final List<String> PRESETS = List.of("gpt2", "codeparrot-small", "codeparrot", "cpu-tiny", "cpu-small", "cpu-tiny-512");

    public GptConfig {
        if (vocabSize <= 0 || nPositions <= 0 || nLayer <= 0 || nHead <= 0 || nEmbd <= 0) {
            throw new IllegalArgumentException("sizes must be positive");
        }
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException("n_embd " + nEmbd + " is not a multiple of n_head " + nHead);
        }
        if (!"gelu_new".equals(activationFunction)) {
            throw new IllegalArgumentException("only activation_function gelu_new is implemented, got " + activationFunction);
        }
        if (!tieWordEmbeddings) {
            throw new IllegalArgumentException("only tied word embeddings are implemented (GPT2LMHeadModel default)");
        }
    }

    /** GPT-2 defaults (the 124M model) with another size; dropout 0.1, eps 1e-5, init std 0.02 as HF. */
    public static GptConfig of(int vocabSize, int nPositions, int nEmbd, int nLayer, int nHead) {
        int eos = vocabSize - 1; // HF's gpt2: bos = eos = <|endoftext|> = the last id
        return new GptConfig(vocabSize, nPositions, nEmbd, nLayer, nHead, "gelu_new", 0.1, 0.1, 0.1, 1e-5, 0.02,
                eos, eos, true);
    }

    /**
     * A named configuration. {@code vocabSize} is used by every preset except {@code gpt2}, whose
     * vocabulary is GPT-2's own 50257 tokens; the book's CodeParrot models use a 32768-token tokenizer.
     */
    public static GptConfig preset(String name, int vocabSize) {
        return switch (name) {
            case "gpt2" -> of(50257, 1024, 768, 12, 12);
            case "codeparrot-small" -> of(vocabSize, 1024, 768, 12, 12);
            case "codeparrot" -> of(vocabSize, 1024, 1600, 48, 25); // gpt2-xl shape
            case "cpu-tiny" -> of(vocabSize, 128, 128, 2, 4);
            case "cpu-small" -> of(vocabSize, 256, 256, 4, 4);
            // cpu-tiny with the 512-token context that HumanEval needs (153 of 164 prompts fit with 256 new tokens):
            // the local cluster's model, since the extra positions and attention cost ~10% of cpu-tiny's speed
            case "cpu-tiny-512" -> of(vocabSize, 512, 128, 2, 4);
            default -> throw new IllegalArgumentException("unknown preset " + name + ", known: " + PRESETS);
        };
    }

    public int headDim() {
        return nEmbd / nHead;
    }

    public GptConfig withVocabSize(int v) {
        return new GptConfig(v, nPositions, nEmbd, nLayer, nHead, activationFunction, residPdrop, embdPdrop, attnPdrop,
                layerNormEpsilon, initializerRange, Math.min(bosTokenId, v - 1), Math.min(eosTokenId, v - 1), tieWordEmbeddings);
    }

    /** Same model with every dropout probability set to p (0 makes training deterministic given the data). */
    public GptConfig withDropout(double p) {
        return new GptConfig(vocabSize, nPositions, nEmbd, nLayer, nHead, activationFunction, p, p, p,
                layerNormEpsilon, initializerRange, bosTokenId, eosTokenId, tieWordEmbeddings);
    }

    public GptConfig withSpecialTokens(int bos, int eos) {
        return new GptConfig(vocabSize, nPositions, nEmbd, nLayer, nHead, activationFunction, residPdrop, embdPdrop,
                attnPdrop, layerNormEpsilon, initializerRange, bos, eos, tieWordEmbeddings);
    }

    /**
     * Parameters as {@code model.num_parameters()} counts them in HF: the tied LM head once, wpe included.
     * Computed from the shapes, so the 1.5B preset can be sized without allocating it.
     */
    public long numParams() {
        long e = nEmbd;
        long perLayer = 2 * e                 // ln_1
                + e * 3 * e + 3 * e           // attn.c_attn
                + e * e + e                   // attn.c_proj
                + 2 * e                       // ln_2
                + e * 4 * e + 4 * e           // mlp.c_fc
                + 4 * e * e + e;              // mlp.c_proj
        return (long) vocabSize * e + (long) nPositions * e + nLayer * perLayer + 2 * e;
    }

    /**
     * Training FLOPs per token, the usual 6·N (N = weights that take part in a matmul: the blocks and
     * the tied head; not wpe, a lookup) plus attention's two T×T products, 12·n_layer·n_embd·T.
     */
    public double trainFlopsPerToken(int seqLen) {
        double matmulParams = 12.0 * nLayer * nEmbd * (double) nEmbd + (double) vocabSize * nEmbd;
        return 6.0 * matmulParams + 12.0 * nLayer * nEmbd * (double) seqLen;
    }

    // ---- config.json / generation_config.json in HF's format ----

    /** The config.json content: HF keys, sorted, 2-space indent, Python float spelling (1e-05). */
    public String toJson() {
        Map<String, Object> m = new TreeMap<>();
        m.put("activation_function", activationFunction);
        m.put("architectures", List.of("GPT2LMHeadModel"));
        m.put("attn_pdrop", attnPdrop);
        m.put("bos_token_id", bosTokenId);
        m.put("embd_pdrop", embdPdrop);
        m.put("eos_token_id", eosTokenId);
        m.put("initializer_range", initializerRange);
        m.put("layer_norm_epsilon", layerNormEpsilon);
        m.put("model_type", "gpt2");
        m.put("n_ctx", nPositions);
        m.put("n_embd", nEmbd);
        m.put("n_head", nHead);
        m.put("n_inner", null);
        m.put("n_layer", nLayer);
        m.put("n_positions", nPositions);
        m.put("reorder_and_upcast_attn", false);
        m.put("resid_pdrop", residPdrop);
        m.put("scale_attn_by_inverse_layer_idx", false);
        m.put("scale_attn_weights", true);
        m.put("summary_activation", null);
        m.put("summary_first_dropout", 0.1);
        m.put("summary_proj_to_labels", true);
        m.put("summary_type", "cls_index");
        m.put("summary_use_proj", true);
        m.put("tie_word_embeddings", tieWordEmbeddings);
        m.put("torch_dtype", "float32");
        m.put("use_cache", true);
        m.put("vocab_size", vocabSize);
        return PyJson.write(m);
    }

    public String generationConfigJson() {
        Map<String, Object> m = new TreeMap<>();
        m.put("_from_model_config", true);
        m.put("bos_token_id", bosTokenId);
        m.put("eos_token_id", eosTokenId);
        return PyJson.write(m);
    }

    /** Writes config.json and generation_config.json into dir. */
    public void save(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(CONFIG_FILE), toJson(), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(GENERATION_CONFIG_FILE), generationConfigJson(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads dir/config.json (a directory) or the given file. */
    public static GptConfig load(Path dirOrFile) {
        Path f = Files.isDirectory(dirOrFile) ? dirOrFile.resolve(CONFIG_FILE) : dirOrFile;
        try {
            return fromJson(Files.readString(f, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static GptConfig fromJson(String json) {
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

    /** The subset of Python's json.dumps(indent=2, sort_keys=True) that HF's config files use. */
    static final class PyJson {
        private PyJson() {}

        static String write(Map<String, Object> m) {
            StringBuilder sb = new StringBuilder();
            value(sb, m, "");
            return sb.append('\n').toString();
        }

        private static void value(StringBuilder sb, Object v, String indent) {
            if (v == null) {
                sb.append("null");
            } else if (v instanceof Boolean b) {
                sb.append(b ? "true" : "false");
            } else if (v instanceof Double d) {
                sb.append(pyFloat(d));
            } else if (v instanceof Number num) {
                sb.append(num.longValue());
            } else if (v instanceof String s) {
                string(sb, s);
            } else if (v instanceof List<?> list) {
                String inner = indent + "  ";
                sb.append("[\n");
                for (int i = 0; i < list.size(); i++) {
                    sb.append(inner);
                    value(sb, list.get(i), inner);
                    sb.append(i + 1 < list.size() ? ",\n" : "\n");
                }
                sb.append(indent).append(']');
            } else if (v instanceof Map<?, ?> map) {
                String inner = indent + "  ";
                sb.append("{\n");
                List<Map.Entry<?, ?>> es = new ArrayList<>(map.entrySet());
                for (int i = 0; i < es.size(); i++) {
                    sb.append(inner);
                    string(sb, es.get(i).getKey().toString());
                    sb.append(": ");
                    value(sb, es.get(i).getValue(), inner);
                    sb.append(i + 1 < es.size() ? ",\n" : "\n");
                }
                sb.append(indent).append('}');
            } else {
                throw new IllegalArgumentException("cannot write " + v.getClass());
            }
        }

        private static void string(StringBuilder sb, String s) {
            sb.append('"');
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    default -> {
                        if (c < 0x20 || c > 0x7e) {
                            sb.append(String.format("\\u%04x", (int) c)); // ensure_ascii=True
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            sb.append('"');
        }

        /** Python's repr(float): shortest digits, exponent form below 1e-4 or from 1e16, e.g. 1e-05, 0.02, 1.0. */
        static String pyFloat(double d) {
            if (d == 0) {
                return "0.0";
            }
            BigDecimal bd = new BigDecimal(Double.toString(d)).stripTrailingZeros();
            int exp = bd.precision() - bd.scale() - 1;
            if (exp < -4 || exp >= 16) {
                String digits = bd.unscaledValue().abs().toString();
                String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
                return (d < 0 ? "-" : "") + mantissa + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
            }
            String plain = bd.toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
    }
}
