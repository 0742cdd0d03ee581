package dev.streamparrot.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.jni.JniUtils;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * GPT-2 ({@code GPT2LMHeadModel}) on DJL's PyTorch engine, in one file like nanoGPT's model.py.
 *
 * <p>Parameters carry Hugging Face's names and shapes, including its Conv1D layout (weights are
 * [in, out] and applied as {@code x @ W + b}), so checkpoints move between this class and
 * {@code transformers} without renaming or transposing. The LM head is tied to {@code wte}.
 *
 * <p>All intermediate arrays are created in the manager of the {@code ids} passed in, so a caller that
 * opens a sub-manager per step and closes it afterwards frees everything the step allocated.
 *
 * <p>No operation takes a Java {@code Number} as operand: DJL's PyTorch engine wraps such scalars with
 * {@code from_blob} over a Java buffer that the GC may free while autograd still holds it (garbage
 * gradients after a GC). Scalars are created once as arrays ({@link #scalar}).
 */
public final class Gpt implements AutoCloseable {
    /** File name of the weights inside a checkpoint directory, as HF's save_pretrained names it. */
    public static final String WEIGHTS_FILE = "model.safetensors";

    private final GptConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> params; // HF names, HF state_dict order

    private final NDArray wte, wpe, lnfW, lnfB;
    private final List<Layer> layers = new ArrayList<>();

    // pre-created scalars (see class comment)
    private final NDArray qScale, geluLinear, geluCubic, maskValue;

    /** One transformer block's parameters. */
    private record Layer(NDArray ln1W, NDArray ln1B, NDArray attnW, NDArray attnB, NDArray attnProjW, NDArray attnProjB,
                         NDArray ln2W, NDArray ln2B, NDArray fcW, NDArray fcB, NDArray mlpProjW, NDArray mlpProjB) {}

    private Gpt(GptConfig config, NDManager manager, Map<String, NDArray> params) {
        this.config = config;
        this.manager = manager;
        this.params = Collections.unmodifiableMap(params);
        for (NDArray p : params.values()) {
            p.setRequiresGradient(true);
        }
        wte = params.get("transformer.wte.weight");
        wpe = params.get("transformer.wpe.weight");
        for (int i = 0; i < config.nLayer(); i++) {
            String h = "transformer.h." + i + ".";
            layers.add(new Layer(params.get(h + "ln_1.weight"), params.get(h + "ln_1.bias"),
                    params.get(h + "attn.c_attn.weight"), params.get(h + "attn.c_attn.bias"),
                    params.get(h + "attn.c_proj.weight"), params.get(h + "attn.c_proj.bias"),
                    params.get(h + "ln_2.weight"), params.get(h + "ln_2.bias"),
                    params.get(h + "mlp.c_fc.weight"), params.get(h + "mlp.c_fc.bias"),
                    params.get(h + "mlp.c_proj.weight"), params.get(h + "mlp.c_proj.bias")));
        }
        lnfW = params.get("transformer.ln_f.weight");
        lnfB = params.get("transformer.ln_f.bias");
        qScale = scalar(manager, 1.0 / Math.sqrt(config.headDim()));
        // gelu_new(x) = 0.5x(1 + tanh(c(x + 0.044715x³))) = x·sigmoid(2c·x + 2c·0.044715·x³), c = sqrt(2/π):
        // the sigmoid form is the same function with fewer passes over the (B,T,4E) activations
        double c2 = 2 * Math.sqrt(2 / Math.PI);
        geluLinear = scalar(manager, c2);
        geluCubic = scalar(manager, c2 * 0.044715);
        maskValue = scalar(manager, -1e9); // exp(-1e9 - max) is exactly 0 in float, like HF's finfo.min
    }

    /** Parameter shapes in HF's state_dict order; the single source of names for init, load and save. */
    static Map<String, Shape> shapes(GptConfig c) {
        long v = c.vocabSize(), p = c.nPositions(), e = c.nEmbd();
        Map<String, Shape> s = new LinkedHashMap<>();
        s.put("transformer.wte.weight", new Shape(v, e));
        s.put("transformer.wpe.weight", new Shape(p, e));
        for (int i = 0; i < c.nLayer(); i++) {
            String h = "transformer.h." + i + ".";
            s.put(h + "ln_1.weight", new Shape(e));
            s.put(h + "ln_1.bias", new Shape(e));
            s.put(h + "attn.c_attn.weight", new Shape(e, 3 * e));
            s.put(h + "attn.c_attn.bias", new Shape(3 * e));
            s.put(h + "attn.c_proj.weight", new Shape(e, e));
            s.put(h + "attn.c_proj.bias", new Shape(e));
            s.put(h + "ln_2.weight", new Shape(e));
            s.put(h + "ln_2.bias", new Shape(e));
            s.put(h + "mlp.c_fc.weight", new Shape(e, 4 * e));
            s.put(h + "mlp.c_fc.bias", new Shape(4 * e));
            s.put(h + "mlp.c_proj.weight", new Shape(4 * e, e));
            s.put(h + "mlp.c_proj.bias", new Shape(e));
        }
        s.put("transformer.ln_f.weight", new Shape(e));
        s.put("transformer.ln_f.bias", new Shape(e));
        return s;
    }

    /**
     * A freshly initialised model, as HF's GPT2PreTrainedModel._init_weights does it: weights and embeddings
     * N(0, initializer_range), the two c_proj weights N(0, initializer_range/sqrt(2·n_layer)) (GPT-2 paper's
     * scaling of residual projections), biases 0, LayerNorm weights 1. Same seed, same weights.
     */
    public static Gpt create(GptConfig config, long seed) {
        return create(config, seed, DeviceSetting.AUTO.resolve());
    }

    /** {@link #create(GptConfig, long)} on the given device; its optimizer and steps follow it ({@link #device}). */
    public static Gpt create(GptConfig config, long seed, Device device) {
        NDManager m = NDManager.newBaseManager(device, "PyTorch");
        JniUtils.setSeed(seed);
        Map<String, NDArray> params = new LinkedHashMap<>();
        float std = (float) config.initializerRange();
        float projStd = (float) (config.initializerRange() / Math.sqrt(2.0 * config.nLayer()));
        for (Map.Entry<String, Shape> e : shapes(config).entrySet()) {
            String name = e.getKey();
            Shape shape = e.getValue();
            NDArray a;
            if (name.endsWith(".bias")) {
                a = m.zeros(shape);
            } else if (name.contains(".ln_")) {
                a = m.ones(shape);
            } else {
                a = m.randomNormal(0f, name.endsWith("c_proj.weight") ? projStd : std, shape, DataType.FLOAT32);
            }
            params.put(name, a);
        }
        return new Gpt(config, m, params);
    }

    /** Loads config.json and model.safetensors from a checkpoint directory (ours or HF's). */
    public static Gpt load(Path dir) {
        return load(dir, DeviceSetting.AUTO.resolve());
    }

    /** {@link #load(Path)} onto the given device. */
    public static Gpt load(Path dir, Device device) {
        GptConfig config = GptConfig.load(dir);
        NDManager m = NDManager.newBaseManager(device, "PyTorch");
        try {
            SafeTensors.Contents c = SafeTensors.read(dir.resolve(WEIGHTS_FILE), m);
            return fromState(config, m, c.tensors());
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * Adopts HF-named tensors (owned by {@code m}). Accepts both GPT2LMHeadModel names
     * ({@code transformer.h.0...}) and GPT2Model names ({@code h.0...}); {@code lm_head.weight} may be absent
     * or must equal wte; the causal-mask buffers old checkpoints carry ({@code attn.bias},
     * {@code attn.masked_bias}) are ignored.
     */
    static Gpt fromState(GptConfig config, NDManager m, Map<String, NDArray> state) {
        Map<String, Shape> expected = shapes(config);
        Map<String, NDArray> params = new LinkedHashMap<>();
        NDArray lmHead = null;
        for (Map.Entry<String, NDArray> e : state.entrySet()) {
            String name = e.getKey();
            if (name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias")) {
                e.getValue().close();
                continue;
            }
            if (name.equals("lm_head.weight")) {
                lmHead = e.getValue();
                continue;
            }
            String full = name.startsWith("transformer.") ? name : "transformer." + name;
            Shape want = expected.get(full);
            if (want == null) {
                throw new IllegalArgumentException("unexpected tensor " + name + " for a GPT-2 model");
            }
            if (!want.equals(e.getValue().getShape())) {
                throw new IllegalArgumentException(name + " has shape " + e.getValue().getShape() + ", config says " + want);
            }
            params.put(full, e.getValue());
        }
        for (String name : expected.keySet()) {
            if (!params.containsKey(name)) {
                throw new IllegalArgumentException("checkpoint lacks " + name);
            }
        }
        if (lmHead != null) {
            if (!lmHead.contentEquals(params.get("transformer.wte.weight"))) {
                throw new IllegalArgumentException("lm_head.weight differs from wte: untied heads are not supported");
            }
            lmHead.close();
        }
        Map<String, NDArray> ordered = new LinkedHashMap<>();
        expected.keySet().forEach(n -> ordered.put(n, params.get(n)));
        return new Gpt(config, m, ordered);
    }

    /** Writes model.safetensors (F32, HF names, metadata format=pt), config.json and generation_config.json. */
    public void save(Path dir) {
        config.save(dir);
        SafeTensors.write(dir.resolve(WEIGHTS_FILE), params, Map.of("format", "pt"));
    }

    public GptConfig config() {
        return config;
    }

    /** Where the parameters live; whatever computes with them (optimizer, steps, evaluation) allocates there. */
    public Device device() {
        return manager.getDevice();
    }

    /** HF name → parameter array (trainable, owned by this model). Iteration order is HF's state_dict order. */
    public Map<String, NDArray> parameters() {
        return params;
    }

    /** A batch of token sequences as the int64 (B,T) array forward expects, in libtorch-owned memory. */
    public static NDArray ids(NDManager m, int[][] rows) {
        long[][] l = new long[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            l[i] = new long[rows[i].length];
            for (int j = 0; j < rows[i].length; j++) {
                l[i][j] = rows[i][j];
            }
        }
        return copyOf(m, l);
    }

    /** An int64 array in libtorch-owned memory: create() wraps a Java buffer that backward would keep using. */
    private static NDArray copyOf(NDManager m, long[][] l) {
        try (NDManager tmp = m.newSubManager()) {
            NDArray copy = tmp.create(l).duplicate();
            copy.attach(m);
            return copy;
        }
    }

    // ---------------------------------------------------------------- forward

    /**
     * Logits (B,T,V) for int64 ids (B,T). training=true applies dropout and records the autograd graph (when
     * inside a GradientCollector); training=false is evaluation: no dropout, no graph.
     */
    public NDArray forward(NDArray ids, boolean training) {
        return training ? run(ids, true) : noGrad(() -> run(ids, false));
    }

    /** Mean next-token cross-entropy, HF style: logits[:, :-1] predict ids[:, 1:]. */
    public NDArray loss(NDArray ids, boolean training) {
        Supplier<NDArray> f = () -> {
            NDArray logits = run(ids, training);
            NDArray logp = logits.get(":, :-1, :").logSoftmax(-1);
            NDArray target = ids.get(":, 1:").expandDims(-1);
            return logp.gather(target, -1).mean().neg();
        };
        return training ? f.get() : noGrad(f);
    }

    /**
     * Inference with a KV cache: ids (B,Tnew) are the tokens after the cache's {@link KvCache#length()};
     * returns their logits (B,Tnew,V) and appends their keys and values to the cache, so each generated token
     * costs one position. Feed the prompt first, then one token at a time.
     */
    public NDArray forward(NDArray ids, KvCache cache) {
        return forward(ids, cache, new int[(int) ids.getShape().get(0)]);
    }

    /**
     * As {@link #forward(NDArray, KvCache)}, where the first {@code pad[r]} tokens of row r are padding: they
     * take no position and no query attends to them, so each row's logits are those it would get alone. Left
     * padding batches prompts of different lengths; a pad of 1 in a one-token step lets a row sit a step out.
     * Logits at padded positions are meaningless.
     */
    public NDArray forward(NDArray ids, KvCache cache, int[] pad) {
        return noGrad(() -> run(ids, cache, pad));
    }

    /** An empty cache for this model; close it (or its parent manager) when the sequence is done. */
    public KvCache newCache() {
        return new KvCache(config.nLayer(), manager);
    }

    private NDArray run(NDArray ids, boolean training) {
        NDManager m = ids.getManager();
        int t = (int) ids.getShape().get(1);
        if (t > config.nPositions()) {
            throw new IllegalArgumentException("sequence of " + t + " exceeds n_positions " + config.nPositions());
        }
        NDArray pos = m.arange(0, t, 1, DataType.INT64);
        return blocks(embedding(ids, wte).add(embedding(pos, wpe)), causalMask(m, t, 0), null, training);
    }

    private NDArray run(NDArray ids, KvCache cache, int[] pad) {
        NDManager m = ids.getManager();
        int b = (int) ids.getShape().get(0), t = (int) ids.getShape().get(1);
        if (pad.length != b) throw new IllegalArgumentException(pad.length + " pads for " + b + " rows");
        NDArray pos = copyOf(m, cache.positions(t, pad, config.nPositions())); // checks before the cache changes
        float[] newBias = new float[b * t];
        for (int r = 0; r < b; r++) {
            Arrays.fill(newBias, r * t, r * t + pad[r], -1e9f);
        }
        NDArray padding;
        try (NDManager tmp = m.newSubManager()) {
            padding = tmp.create(newBias, new Shape(b, 1, 1, t)).duplicate(); // libtorch memory, see copyOf
            padding.attach(m);
        }
        // (T, past+T) causal + (B,1,1,past+T) padding → (B,1,T,past+T)
        NDArray mask = causalMask(m, t, (int) cache.length()).add(cache.appendBias(padding));
        NDArray logits = blocks(embedding(ids, wte).add(embedding(pos, wpe)), mask, cache, false);
        cache.advance(t, pad);
        return logits;
    }

    /** The transformer blocks and the tied LM head over embeddings x (B,T,E). */
    private NDArray blocks(NDArray x, NDArray mask, KvCache cache, boolean training) {
        x = dropout(x, config.embdPdrop(), training);
        for (int i = 0; i < layers.size(); i++) {
            Layer p = layers.get(i);
            x = x.add(attention(layerNorm(x, p.ln1W, p.ln1B), p, i, mask, cache, training));
            x = x.add(mlp(layerNorm(x, p.ln2W, p.ln2B), p, training));
        }
        x = layerNorm(x, lnfW, lnfB);
        return x.getNDArrayInternal().linear(x, wte, null).head(); // tied LM head: x @ wteᵀ
    }

    private NDArray attention(NDArray x, Layer p, int layer, NDArray mask, KvCache cache, boolean training) {
        long b = x.getShape().get(0), t = x.getShape().get(1);
        NDList qkv = conv1d(x, p.attnW, p.attnB).split(3, 2); // DJL's split wants a non-negative axis
        // scaling q (T·D values) instead of the scores (T·T values) is the same product, cheaper
        NDArray q = heads(qkv.get(0)).mul(qScale);
        NDArray k = heads(qkv.get(1));
        NDArray v = heads(qkv.get(2));
        if (cache != null) {
            NDList kv = cache.append(layer, k, v);
            k = kv.get(0);
            v = kv.get(1);
        }
        // with a cache, k is the cache's array, so its transposed view would land in the cache's long-lived
        // manager and keep this step's whole key tensor alive there: it belongs to this pass's manager
        NDArray keysT = k.transpose(0, 1, 3, 2);
        keysT.attach(x.getManager());
        NDArray att = q.matMul(keysT).add(mask).softmax(-1); // (B,H,T,past+T)
        att = dropout(att, config.attnPdrop(), training);
        NDArray y = att.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, config.nEmbd());
        return dropout(conv1d(y, p.attnProjW, p.attnProjB), config.residPdrop(), training);
    }

    private NDArray mlp(NDArray x, Layer p, boolean training) {
        NDArray h = geluNew(conv1d(x, p.fcW, p.fcB));
        return dropout(conv1d(h, p.mlpProjW, p.mlpProjB), config.residPdrop(), training);
    }

    /** (B,T,E) → (B,H,T,D). */
    private NDArray heads(NDArray x) {
        long b = x.getShape().get(0), t = x.getShape().get(1);
        return x.reshape(b, t, config.nHead(), config.headDim()).transpose(0, 2, 1, 3);
    }

    /** Additive mask (T, past+T): query i sits in slot past+i and may see slots 0..past+i. */
    private NDArray causalMask(NDManager m, int t, int past) {
        NDArray query = m.arange(past, past + t, 1, DataType.INT64).reshape(t, 1);
        NDArray key = m.arange(0, past + t, 1, DataType.INT64).reshape(1, past + t);
        return key.gt(query).toType(DataType.FLOAT32, false).mul(maskValue);
    }

    /** HF's Conv1D: x @ W + b with W stored [in, out]. */
    private static NDArray conv1d(NDArray x, NDArray w, NDArray b) {
        return x.matMul(w).add(b);
    }

    private NDArray geluNew(NDArray x) {
        NDArray inner = x.square().mul(geluCubic).add(geluLinear).mul(x);
        return x.mul(inner.getNDArrayInternal().sigmoid());
    }

    private NDArray layerNorm(NDArray x, NDArray w, NDArray b) {
        return x.getNDArrayInternal().layerNorm(x, new Shape(config.nEmbd()), w, b, (float) config.layerNormEpsilon()).head();
    }

    private static NDArray embedding(NDArray ids, NDArray table) {
        // result lands in ids' manager (table.get(ids) would put it in the parameters' manager)
        return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).head();
    }

    private static NDArray dropout(NDArray x, double p, boolean training) {
        if (!training || p == 0) {
            return x;
        }
        return x.getNDArrayInternal().dropout(x, (float) p, true).head();
    }

    /** A one-element float array allocated by libtorch (torch::full), safe to keep in autograd graphs. */
    static NDArray scalar(NDManager m, double v) {
        return m.full(new Shape(1), (float) v, DataType.FLOAT32);
    }

    /** Runs f with autograd recording off on this thread (PyTorch's grad mode is thread-local). */
    static <T> T noGrad(Supplier<T> f) {
        boolean was = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return f.get();
        } finally {
            JniUtils.setGradMode(was);
        }
    }

    /**
     * Arrays alive in this model's manager, its caches' sub-managers included: the parameters plus whatever
     * open caches hold. Between requests it must come back to the same number; leak tests count it.
     */
    public int liveArrays() {
        return manager.getManagedArrays().size();
    }

    /** Frees the parameters and everything else this model allocated. */
    @Override
    public void close() {
        manager.close();
    }
}
