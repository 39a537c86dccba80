package org.moescope.engine.moe;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.Precision;

/**
 * Host weights of one MoE layer and an independent double-precision computation of the block from them
 * (softmax, sort-based top-k, expert MLPs, weighted sum), written without Router or any Backend.
 * Host arrays hold the values rounded to {@code dtype}, i.e. exactly what a device buffer of that dtype stores.
 */
final class MoeFixture {
    final MoeShape shape;
    final DType dtype;
    final float[] router; // [E, h]
    final float[] gate;   // [E, inter, h]
    final float[] up;     // [E, inter, h]
    final float[] down;   // [E, h, inter]

    private MoeFixture(MoeShape shape, DType dtype, float[] router, float[] gate, float[] up, float[] down) {
        this.shape = shape;
        this.dtype = dtype;
        this.router = round(router, dtype);
        this.gate = round(gate, dtype);
        this.up = round(up, dtype);
        this.down = round(down, dtype);
    }

    /** Gaussian weights scaled so that logits have a spread of about 2 and activations stay O(1). */
    static MoeFixture random(MoeShape s, DType dtype, long seed) {
        Random r = new Random(seed);
        int h = s.hidden();
        int e = s.experts();
        int inter = s.inter();
        return new MoeFixture(s, dtype, gaussian(r, e * h, 2 / Math.sqrt(h)), gaussian(r, e * inter * h,
                1 / Math.sqrt(h)), gaussian(r, e * inter * h, 1 / Math.sqrt(h)),
                gaussian(r, e * h * inter, 1 / Math.sqrt(inter)));
    }

    /** The same experts with router row {@code expert} replaced by {@code row [h]}. */
    MoeFixture withRouterRow(int expert, float[] row) {
        float[] r = router.clone();
        System.arraycopy(row, 0, r, expert * shape.hidden(), shape.hidden());
        return new MoeFixture(shape, dtype, r, gate, up, down);
    }

    /** The same experts with router row {@code to} a copy of row {@code from}: their logits tie exactly. */
    MoeFixture withRouterRowCopied(int from, int to) {
        int h = shape.hidden();
        return withRouterRow(to, Arrays.copyOfRange(router, from * h, from * h + h));
    }

    static float[] gaussian(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
        return a;
    }

    private static float[] round(float[] a, DType dtype) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = Precision.roundTo(dtype, a[i]);
        }
        return out;
    }

    MoeLayerWeights upload(Backend b) {
        return new MoeLayerWeights(upload(b, "router", router), upload(b, "gate", gate), upload(b, "up", up),
                upload(b, "down", down));
    }

    private DeviceBuffer upload(Backend b, String name, float[] values) {
        DeviceBuffer buf = b.allocate("test.moe." + name, dtype, values.length);
        b.write(buf, values);
        return buf;
    }

    /**
     * The block's output and routing for {@code x [tokens, h]}.
     *
     * @param minTopKGap smallest relative gap between the k-th and (k+1)-th probability over the tokens (infinite
     *                   when k == E): above ~1e-4 every F32 implementation must select the same experts
     */
    record Expected(double[] out, int[] ids, double[] weights, double[] probs, double minTopKGap) {
        float[] outFloats() {
            float[] f = new float[out.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) out[i];
            }
            return f;
        }
    }

    Expected reference(float[] x, int tokens) {
        int h = shape.hidden();
        int inter = shape.inter();
        int experts = shape.experts();
        int k = shape.topK();
        double[] out = new double[tokens * h];
        int[] ids = new int[tokens * k];
        double[] weights = new double[tokens * k];
        double[] probs = new double[tokens * experts];
        double minGap = Double.POSITIVE_INFINITY;
        for (int t = 0; t < tokens; t++) {
            double[] logit = new double[experts];
            double max = Double.NEGATIVE_INFINITY;
            for (int e = 0; e < experts; e++) {
                logit[e] = dot(router, e * h, x, t * h, h);
                max = Math.max(max, logit[e]);
            }
            double z = 0;
            for (int e = 0; e < experts; e++) {
                z += Math.exp(logit[e] - max);
            }
            double[] p = new double[experts];
            for (int e = 0; e < experts; e++) {
                p[e] = Math.exp(logit[e] - max) / z;
                probs[t * experts + e] = p[e];
            }
            Integer[] order = new Integer[experts];
            Arrays.setAll(order, e -> e);
            Arrays.sort(order, Comparator.<Integer>comparingDouble(e -> -p[e]).thenComparingInt(e -> e));
            if (k < experts) {
                minGap = Math.min(minGap, (p[order[k - 1]] - p[order[k]]) / p[order[k - 1]]);
            }
            double kept = 0;
            for (int s = 0; s < k; s++) {
                kept += p[order[s]];
            }
            for (int s = 0; s < k; s++) {
                int e = order[s];
                double weight = shape.normTopk() ? p[e] / kept : p[e];
                ids[t * k + s] = e;
                weights[t * k + s] = weight;
                double[] act = new double[inter];
                for (int o = 0; o < inter; o++) {
                    double g = dot(gate, (e * inter + o) * h, x, t * h, h);
                    double u = dot(up, (e * inter + o) * h, x, t * h, h);
                    act[o] = g / (1 + Math.exp(-g)) * u;
                }
                for (int i = 0; i < h; i++) {
                    double y = 0;
                    for (int o = 0; o < inter; o++) {
                        y += down[(e * h + i) * inter + o] * act[o];
                    }
                    out[t * h + i] += weight * y;
                }
            }
        }
        return new Expected(out, ids, weights, probs, minGap);
    }

    private static double dot(float[] w, int wAt, float[] x, int xAt, int n) {
        double acc = 0;
        for (int i = 0; i < n; i++) {
            acc += (double) w[wAt + i] * x[xAt + i];
        }
        return acc;
    }

    /** Inputs {@code [tokens, h]} ~ N(0, 1). */
    float[] input(int tokens, long seed) {
        return gaussian(new Random(seed), tokens * shape.hidden(), 1);
    }
}
