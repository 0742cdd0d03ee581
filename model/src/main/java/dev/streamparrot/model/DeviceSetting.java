package dev.streamparrot.model;

import ai.djl.Device;
import ai.djl.engine.Engine;

import java.util.Locale;

/**
 * Where the model and its optimizer run: the {@code device} setting of the services that run libtorch.
 * {@code auto} takes what DJL's engine offers (its first GPU when the libtorch build has CUDA and sees a GPU,
 * else the CPU), {@code cpu} the CPU always, {@code gpu} the first GPU or an error at start, so that a machine
 * meant to train on a GPU never trains on its CPU by mistake.
 */
public enum DeviceSetting {
    AUTO, CPU, GPU;

    /** "auto", "cpu" or "gpu", any case; anything else is an error that names the choices. */
    public static DeviceSetting parse(String value) {
        for (DeviceSetting s : values()) {
            if (s.name().equalsIgnoreCase(value.trim())) return s;
        }
        throw new IllegalArgumentException("device must be auto, cpu or gpu, not \"" + value + "\"");
    }

    /** The device on the PyTorch engine (loading libtorch if it is not loaded yet). */
    public Device resolve() {
        Engine engine = Engine.getEngine("PyTorch");
        return resolve(engine.getGpuCount(), engine.defaultDevice(), offer(engine));
    }

    /**
     * @param gpuCount      GPUs the engine sees
     * @param engineDefault the device the engine picks by itself
     * @param offer         what the engine offers, for the error message ({@link #offer})
     */
    Device resolve(int gpuCount, Device engineDefault, String offer) {
        return switch (this) {
            case AUTO -> engineDefault;
            case CPU -> Device.cpu();
            case GPU -> {
                if (gpuCount > 0) yield Device.gpu();
                throw new IllegalStateException("device is gpu, but " + offer + ". Build with -Pcuda (CUDA libtorch) on a"
                        + " machine whose GPU the driver shows, or set the device to auto or cpu");
            }
        };
    }

    /** What the engine offers, e.g. "PyTorch 2.7.1 (DJL 0.36.0) sees 0 GPUs, default device cpu()". */
    public static String offer(Engine engine) {
        int gpus = engine.getGpuCount();
        return String.format(Locale.ROOT, "%s %s (DJL %s) sees %d GPU%s, default device %s", engine.getEngineName(),
                engine.getVersion(), Engine.getDjlVersion(), gpus, gpus == 1 ? "" : "s", engine.defaultDevice());
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
