package org.moescope.engine.moe;

import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DeviceBuffer;

/**
 * One expert's SwiGLU on the host, for one token: the formulas of the device kernels written out, over weight rows
 * read back through the {@link Backend} (dequantized or widened to float as the kernels see them). Dot products
 * accumulate in double, so the result is the exact value the device's float sums approximate.
 */
public final class ExpertMath {
    private ExpertMath() {
    }

    /** The vectors of one expert's pass: gate, up {@code [inter]}, act = SiLU(gate) * up {@code [inter]}, down {@code [h]}. */
    public record Pass(float[] gate, float[] up, float[] act, float[] down) {
    }

    /** Expert {@code expert} of a layer applied to {@code x [h]}. */
    public static Pass apply(Backend backend, MoeLayerWeights w, MoeShape shape, int expert, float[] x) {
        int h = shape.hidden();
        int inter = shape.inter();
        if (expert < 0 || expert >= shape.experts()) {
            throw new IllegalArgumentException("expert must be in [0, " + shape.experts() + "), got " + expert);
        }
        if (x.length != h) {
            throw new IllegalArgumentException("x: length " + x.length + ", expected hidden = " + h);
        }
        float[] gate = gemv(expertRows(backend, w.gate(), expert, inter, h), x, inter, h);
        float[] up = gemv(expertRows(backend, w.up(), expert, inter, h), x, inter, h);
        float[] act = new float[inter];
        for (int i = 0; i < inter; i++) {
            act[i] = silu(gate[i]) * up[i];
        }
        float[] down = gemv(expertRows(backend, w.down(), expert, h, inter), act, h, inter);
        return new Pass(gate, up, act, down);
    }

    /** silu(x) = x / (1 + exp(-x)), the activation of Qwen3-MoE's experts. */
    public static float silu(float x) {
        return (float) (x / (1.0 + Math.exp(-x)));
    }

    /** {@code w [rows, cols] · x [cols]}. */
    static float[] gemv(float[] w, float[] x, int rows, int cols) {
        float[] out = new float[rows];
        for (int r = 0; r < rows; r++) {
            double acc = 0;
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                acc += (double) w[base + c] * x[c];
            }
            out[r] = (float) acc;
        }
        return out;
    }

    /** The {@code [rows, cols]} matrix of one expert from a stacked {@code [E, rows, cols]} weight. */
    private static float[] expertRows(Backend backend, DeviceBuffer stacked, int expert, int rows, int cols) {
        long count = (long) rows * cols;
        if (count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("one expert matrix of " + count + " elements is too large to read back");
        }
        return backend.readFloats(stacked, expert * count, (int) count);
    }
}
