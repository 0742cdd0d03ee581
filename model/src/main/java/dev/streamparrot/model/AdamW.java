package dev.streamparrot.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW as torch.optim.AdamW computes it (decoupled weight decay, bias-corrected moments), written out on
 * NDArrays so that every number is ours to check, save and restore.
 *
 * <p>Two parameter groups as in the book's {@code get_grouped_params}: biases and LayerNorm weights get
 * no weight decay, every other weight (embeddings included) does.
 */
public final class AdamW implements AutoCloseable {
    /** File name of the optimizer state inside a checkpoint directory. */
    public static final String STATE_FILE = "optimizer.safetensors";

    /** Hyper-parameters; {@link #DEFAULTS} are torch's AdamW defaults with the book's weight decay 0.1. */
    public record Settings(double beta1, double beta2, double eps, double weightDecay) {}

    public static final Settings DEFAULTS = new Settings(0.9, 0.999, 1e-8, 0.1);

    private final Map<String, NDArray> params;
    private final Settings settings;
    private final NDManager manager;
    private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
    private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
    private long step;

    public AdamW(Map<String, NDArray> params, Settings settings) {
        this.params = params;
        this.settings = settings;
        // the moments live beside the parameters (all of one model share a device)
        this.manager = NDManager.newBaseManager(params.values().iterator().next().getDevice(), "PyTorch");
        params.forEach((name, p) -> {
            expAvg.put(name, manager.zeros(p.getShape()));
            expAvgSq.put(name, manager.zeros(p.getShape()));
        });
    }

    /** The book's no_decay list: ["bias", "ln_1.weight", "ln_2.weight", "ln_f.weight"]. */
    public static boolean decays(String paramName) {
        return !(paramName.endsWith("bias") || paramName.contains("ln_1.weight") || paramName.contains("ln_2.weight")
                || paramName.contains("ln_f.weight"));
    }

    /** Updates done so far (torch's state["step"]); also the step a learning-rate schedule is at. */
    public long step() {
        return step;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * torch.nn.utils.clip_grad_norm_: scales all gradients by min(1, maxNorm / (norm + 1e-6)) where norm is the
     * L2 norm over all of them together. Returns that norm before clipping.
     */
    public double clipGradNorm(double maxNorm) {
        return Gpt.noGrad(() -> {
            try (NDManager s = manager.newSubManager()) {
                NDList norms = new NDList();
                for (NDArray p : params.values()) {
                    norms.add(gradient(p, s).norm());
                }
                double total = NDArrays.stack(norms).norm().getFloat();
                double coef = maxNorm / (total + 1e-6);
                if (coef < 1) {
                    NDArray c = Gpt.scalar(s, coef);
                    for (NDArray p : params.values()) {
                        gradient(p, s).muli(c);
                    }
                }
                return total;
            }
        });
    }

    /** One AdamW update of every parameter with learning rate lr, then zeroes the gradients. */
    public void update(double lr) {
        step++;
        double b1 = settings.beta1(), b2 = settings.beta2();
        double bc1 = 1 - Math.pow(b1, step);
        double bc2 = 1 - Math.pow(b2, step);
        Gpt.noGrad(() -> {
            try (NDManager s = manager.newSubManager()) {
                NDArray beta1 = Gpt.scalar(s, b1), oneMinusBeta1 = Gpt.scalar(s, 1 - b1);
                NDArray beta2 = Gpt.scalar(s, b2), oneMinusBeta2 = Gpt.scalar(s, 1 - b2);
                NDArray decay = Gpt.scalar(s, 1 - lr * settings.weightDecay());
                NDArray sqrtBc2 = Gpt.scalar(s, Math.sqrt(bc2));
                NDArray eps = Gpt.scalar(s, settings.eps());
                NDArray stepSize = Gpt.scalar(s, lr / bc1);
                for (Map.Entry<String, NDArray> e : params.entrySet()) {
                    NDArray p = e.getValue();
                    NDArray g = gradient(p, s);
                    NDArray m = expAvg.get(e.getKey());
                    NDArray v = expAvgSq.get(e.getKey());
                    if (decays(e.getKey())) {
                        p.muli(decay); // decoupled: shrink the weight, don't add wd·p to the gradient
                    }
                    m.muli(beta1).addi(g.mul(oneMinusBeta1));
                    v.muli(beta2).addi(g.square().muli(oneMinusBeta2));
                    NDArray denom = local(v.sqrt(), s).divi(sqrtBc2).addi(eps);
                    p.subi(local(m.div(denom), s).muli(stepSize));
                    JniUtils.zeroGrad((PtNDArray) p);
                }
            }
            return null;
        });
    }

    /** Zeroes all gradients without updating (e.g. to drop a step whose loss was not finite). */
    public void zeroGrad() {
        params.values().forEach(p -> JniUtils.zeroGrad((PtNDArray) p));
    }

    /** Writes moments and step to file (safetensors: exp_avg.NAME, exp_avg_sq.NAME; metadata step and settings). */
    public void save(Path file) {
        Map<String, NDArray> t = new LinkedHashMap<>();
        expAvg.forEach((n, a) -> t.put("exp_avg." + n, a));
        expAvgSq.forEach((n, a) -> t.put("exp_avg_sq." + n, a));
        Map<String, String> md = new LinkedHashMap<>();
        md.put("step", Long.toString(step));
        md.put("beta1", Double.toString(settings.beta1()));
        md.put("beta2", Double.toString(settings.beta2()));
        md.put("eps", Double.toString(settings.eps()));
        md.put("weight_decay", Double.toString(settings.weightDecay()));
        SafeTensors.write(file, t, md);
    }

    /** Restores moments and step written by {@link #save}; parameter names and shapes must match. */
    public void load(Path file) {
        SafeTensors.Contents c = SafeTensors.read(file, manager);
        try {
            for (String name : params.keySet()) {
                replace(expAvg, name, c.tensors().get("exp_avg." + name));
                replace(expAvgSq, name, c.tensors().get("exp_avg_sq." + name));
            }
            step = Long.parseLong(c.metadata().getOrDefault("step", "0"));
        } catch (RuntimeException e) {
            c.tensors().values().forEach(NDArray::close);
            throw e;
        }
    }

    private static void replace(Map<String, NDArray> state, String name, NDArray loaded) {
        NDArray old = state.get(name);
        if (loaded == null || !loaded.getShape().equals(old.getShape())) {
            throw new IllegalArgumentException("optimizer state for " + name + " is missing or has another shape");
        }
        state.put(name, loaded);
        old.close();
    }

    /** The current gradient of p as a handle owned by s (closing it leaves the gradient itself alone). */
    private static NDArray gradient(NDArray p, NDManager s) {
        return local(p.getGradient(), s);
    }

    /** Results of ops on long-lived arrays land in those arrays' manager; move temporaries to the step's. */
    private static NDArray local(NDArray a, NDManager s) {
        a.attach(s);
        return a;
    }

    List<NDArray> moments(String name) {
        return List.of(expAvg.get(name), expAvgSq.get(name));
    }

    @Override
    public void close() {
        manager.close();
    }
}
