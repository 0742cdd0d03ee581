package dev.streamparrot.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GptConfigTest {

    @Test
    void presetSizesAreTheBooks() {
        // NLP with Transformers ch. 10: GPT-2 124.4M (HF's gpt2), codeparrot-small 111.0M, codeparrot (xl) 1529.6M
        assertEquals("124.4", String.format("%.1f", GptCost.numParams(GptConfig.preset("gpt2", 0 + 1)) / 1e6));
        assertEquals("111.0", String.format("%.1f", GptCost.numParams(GptConfig.preset("codeparrot-small", 32768)) / 1e6));
        assertEquals("1529.6", String.format("%.1f", GptCost.numParams(GptConfig.preset("codeparrot", 32768)) / 1e6));
        assertEquals(124_439_808L, GptCost.numParams(GptConfig.preset("gpt2", 1))); // HF: GPT2LMHeadModel.num_parameters()
    }

    @Test
    void countFormulaMatchesAllocatedModel() {
        GptConfig c = GptConfig.preset("cpu-tiny", 500);
        try (Gpt g = Gpt.create(c, 1)) {
            long n = g.parameters().values().stream().mapToLong(a -> a.getShape().size()).sum();
            assertEquals(n, GptCost.numParams(c));
        }
    }

    @Test
    void configJsonIsHfFormat() {
        String json = HfConfigJson.config(GptConfig.preset("gpt2", 1));
        assertTrue(json.startsWith("{\n  \"activation_function\": \"gelu_new\",\n  \"architectures\": [\n    \"GPT2LMHeadModel\"\n  ],\n"), json);
        assertTrue(json.contains("\n  \"layer_norm_epsilon\": 1e-05,\n"), json);
        assertTrue(json.contains("\n  \"initializer_range\": 0.02,\n"), json);
        assertTrue(json.contains("\n  \"model_type\": \"gpt2\",\n"), json);
        assertTrue(json.contains("\n  \"n_inner\": null,\n"), json);
        assertTrue(json.endsWith("  \"vocab_size\": 50257\n}\n"), json);
    }

    @Test
    void pythonFloatSpelling() {
        assertEquals("1e-05", PyJson.pyFloat(1e-5));
        assertEquals("0.0001", PyJson.pyFloat(1e-4));
        assertEquals("0.1", PyJson.pyFloat(0.1));
        assertEquals("1.0", PyJson.pyFloat(1.0));
        assertEquals("0.0", PyJson.pyFloat(0.0));
        assertEquals("2.5e-06", PyJson.pyFloat(2.5e-6));
        assertEquals("1e+16", PyJson.pyFloat(1e16));
    }

    @Test
    void roundTripAndHfFile(@TempDir Path dir) throws Exception {
        GptConfig c = GptConfig.preset("cpu-small", 1234).withDropout(0.05).withSpecialTokens(0, 0);
        c.save(dir);
        assertEquals(c, GptConfig.load(dir));
        assertTrue(Files.readString(dir.resolve("generation_config.json")).contains("\"eos_token_id\": 0"));
        // the hub's original gpt2/config.json: n_ctx, task params, no n_inner, keys not sorted
        String hub = """
                {"activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1,
                 "bos_token_id": 50256, "embd_pdrop": 0.1, "eos_token_id": 50256, "initializer_range": 0.02,
                 "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": 1024, "n_embd": 768, "n_head": 12,
                 "n_layer": 12, "n_positions": 1024, "resid_pdrop": 0.1, "summary_activation": null,
                 "summary_first_dropout": 0.1, "summary_proj_to_labels": true, "summary_type": "cls_index",
                 "summary_use_proj": true, "task_specific_params": {"text-generation": {"do_sample": true, "max_length": 50}},
                 "vocab_size": 50257}""";
        assertEquals(GptConfig.preset("gpt2", 1), HfConfigJson.parse(hub));
        assertThrows(IllegalArgumentException.class, () -> HfConfigJson.parse(hub.replace("gelu_new", "relu")));
        assertThrows(IllegalArgumentException.class, () -> HfConfigJson.parse(hub.replace("\"n_head\": 12", "\"n_head\": 7")));
    }

    @Test
    void schedulesFollowHf() {
        LrSchedule cos = LrSchedule.cosine(1e-3, 10, 110);
        assertEquals(0.0, cos.lr(0));
        assertEquals(5e-4, cos.lr(5), 1e-15);
        assertEquals(1e-3, cos.lr(10), 1e-15);
        assertEquals(5e-4, cos.lr(60), 1e-15);           // half way through the decay
        assertEquals(1e-3 * 0.5 * (1 + Math.cos(Math.PI * 0.25)), cos.lr(35), 1e-15);
        assertEquals(0.0, cos.lr(110), 1e-15);
        LrSchedule lin = LrSchedule.linear(1e-3, 10, 110);
        assertEquals(2.5e-4, lin.lr(85), 1e-15);
        assertEquals(0.0, lin.lr(500));
        assertEquals(3e-4, LrSchedule.of("constant", 3e-4, 0, 0).lr(12345));
        assertEquals(1.5e-4, LrSchedule.of("constant_with_warmup", 3e-4, 4, 0).lr(2), 1e-15);
    }

    @Test
    void wsdWarmsUpStaysStableAndDecaysOnlyInABranch() {
        LrSchedule main = LrSchedule.of("wsd", 1e-3, 10, LrSchedule.ENDLESS, 4);
        assertEquals(0.0, main.lr(0));
        assertEquals(5e-4, main.lr(5), 1e-15);
        assertEquals(1e-3, main.lr(10));
        assertEquals(1e-3, main.lr(1_000_000_000L), "endless: stable forever");
        LrSchedule branch = main.decayBranch(100);
        assertEquals(main.lr(99), branch.lr(99), "equal before the branch");
        assertEquals(main.lr(5), branch.lr(5));
        // updates 100..103 decay 4/5, 3/5, 2/5, 1/5 of the peak: every one below it, the last the smallest
        assertEquals(8e-4, branch.lr(100), 1e-15);
        assertEquals(6e-4, branch.lr(101), 1e-15);
        assertEquals(4e-4, branch.lr(102), 1e-15);
        assertEquals(2e-4, branch.lr(103), 1e-15);
        assertEquals(0.0, branch.lr(104));
        LrSchedule fixed = LrSchedule.wsd(1e-3, 0, 20, 4);
        assertEquals(1e-3, fixed.lr(15));
        assertEquals(8e-4, fixed.lr(16), 1e-15);
        assertThrows(IllegalStateException.class, () -> LrSchedule.cosine(1e-3, 10, 110).decayBranch(50));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.cosine(1e-3, 10, LrSchedule.ENDLESS));
    }

    @Test
    void cliPrintsTheBooksSizes() {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.out;
        System.setOut(new java.io.PrintStream(buf, true));
        try {
            assertEquals(0, new picocli.CommandLine(new ModelCli()).execute("model-size"));
        } finally {
            System.setOut(old);
        }
        String out = buf.toString();
        assertTrue(out.contains("GPT-2 (xl) size: 1529.6M parameters"), out);
        assertTrue(out.contains("GPT-2 size: 124.4M parameters"), out);
        assertTrue(out.contains("GPT-2 (codeparrot-small) size: 111.0M parameters"), out);
    }
}
