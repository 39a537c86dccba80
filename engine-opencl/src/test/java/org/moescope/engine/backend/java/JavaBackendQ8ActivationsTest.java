package org.moescope.engine.backend.java;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.moescope.engine.backend.java.JavaBackendTest.random;

import org.junit.jupiter.api.Test;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.moe.DispatchPlan;

/**
 * The expert ops with Q8_0 activations against the same ops with F32 activations, on random quantized weights.
 *
 * <p>Bound: x's Q8_0 block b has d_b = max|x_b| / 127 and each x_i becomes q_i * f16(d_b) with
 * |x_i - q_i f16(d_b)| &lt;= d_b / 2 (rounding) + 127 * d_b * 2^-11 (the F16 scale); the weights are the same in both
 * paths, so one output differs by at most {@code sum_b d_b (0.5 + 127 * 2^-11) sum_{i in b} |w_i|}, plus float
 * rounding, bounded by 1e-5 * sum |w_i x_i|. For the fused gate+up+SiLU, with |silu'| &lt;= 1.1 and |silu(z)| &lt;= |z|,
 * |silu(g)u - silu(g')u'| &lt;= 1.1 |g - g'| (|u| + e_u) + (|g| + e_g) |u - u'|.
 */
class JavaBackendQ8ActivationsTest {
    private static final DType[] QUANTIZED = {DType.Q8_0, DType.Q4_0, DType.Q5_0, DType.Q4_K, DType.Q5_K, DType.Q6_K};
    private static final int EXPERTS = 3;
    private static final int IN = 512;
    private static final int OUT = 8;
    private final JavaBackend backend = new JavaBackend();

    DeviceBuffer f32(String name, float[] values) {
        DeviceBuffer b = backend.allocate(name, DType.F32, values.length);
        backend.write(b, values);
        return b;
    }

    DeviceBuffer i32(String name, int[] values) {
        DeviceBuffer b = backend.allocate(name, DType.I32, values.length);
        backend.write(b, values);
        return b;
    }

    DeviceBuffer q8(float[] x, int rows) {
        DeviceBuffer xq = backend.allocate("xq", DType.Q8_0, x.length);
        backend.quantizeQ8(f32("x", x), xq, rows, x.length / rows);
        return xq;
    }

    /** The bound above for output row o of expert e against activation row r. */
    static double bound(float[] w, int e, int o, float[] x, int r) {
        double b = 0;
        double rounding = 0;
        for (int blk = 0; blk < IN / 32; blk++) {
            double amax = 0;
            double wsum = 0;
            for (int i = 32 * blk; i < 32 * blk + 32; i++) {
                amax = Math.max(amax, Math.abs(x[r * IN + i]));
                double wi = Math.abs(w[(e * OUT + o) * IN + i]);
                wsum += wi;
                rounding += wi * Math.abs(x[r * IN + i]);
            }
            b += amax / 127 * (0.5 + 127 * 0x1p-11) * wsum;
        }
        return b + 1e-5 * rounding;
    }

    @Test
    void expertGemvAndGroupedGemmStayWithinTheActivationStep() {
        for (DType type : QUANTIZED) {
            DeviceBuffer w = backend.allocate("w", type, (long) EXPERTS * OUT * IN);
            backend.fillRandom(w, 5, 0.1f);
            float[] wv = backend.readFloats(w, 0, EXPERTS * OUT * IN);
            int pairs = 4;
            float[] x = random(2 * IN, 9);
            DeviceBuffer xf = f32("xf", x);
            DeviceBuffer xq = q8(x, 2);
            int[] idArray = {2, 0, 1, 2};
            DeviceBuffer ids = i32("ids", idArray);
            float[] exact = run(pairs * OUT, o -> backend.expertGemv(xf, 2, w, ids, o, pairs, EXPERTS, IN, OUT));
            float[] q8 = run(pairs * OUT, o -> backend.expertGemv(xq, 2, w, ids, o, pairs, EXPERTS, IN, OUT));
            int differing = 0;
            for (int p = 0; p < pairs; p++) {
                for (int o = 0; o < OUT; o++) {
                    double err = Math.abs(exact[p * OUT + o] - q8[p * OUT + o]);
                    double b = bound(wv, idArray[p], o, x, p / 2);
                    assertTrue(err <= b, type + " expertGemv pair " + p + " row " + o + ": |error| " + err
                            + " > bound " + b);
                    differing += err > 0 ? 1 : 0;
                }
            }
            assertTrue(differing > 0, type + ": the Q8 path gave exactly the float results");

            // grouped GEMM: tokens 0 and 1, k = 2, one x row per token
            int[] selected = {2, 0, 0, 1};
            float[] gExact = grouped(xf, w, selected);
            float[] gQ8 = grouped(xq, w, selected);
            for (int p = 0; p < 4; p++) {
                for (int o = 0; o < OUT; o++) {
                    double err = Math.abs(gExact[p * OUT + o] - gQ8[p * OUT + o]);
                    double b = bound(wv, selected[p], o, x, p / 2);
                    assertTrue(err <= b, type + " groupedGemm pair " + p + " row " + o + ": |error| " + err
                            + " > bound " + b);
                }
            }
        }
    }

    @Test
    void fusedGateUpSiluStaysWithinThePropagatedBound() {
        for (DType type : QUANTIZED) {
            DeviceBuffer gate = backend.allocate("gate", type, (long) EXPERTS * OUT * IN);
            DeviceBuffer up = backend.allocate("up", type, (long) EXPERTS * OUT * IN);
            backend.fillRandom(gate, 6, 0.1f);
            backend.fillRandom(up, 7, 0.1f);
            float[] gv = backend.readFloats(gate, 0, EXPERTS * OUT * IN);
            float[] uv = backend.readFloats(up, 0, EXPERTS * OUT * IN);
            float[] x = random(IN, 10);
            DeviceBuffer xf = f32("xf", x);
            DeviceBuffer xq = q8(x, 1);
            int[] idArray = {1, 2};
            DeviceBuffer ids = i32("ids", idArray);
            float[] g = run(2 * OUT, o -> backend.expertGemv(xf, 2, gate, ids, o, 2, EXPERTS, IN, OUT));
            float[] u = run(2 * OUT, o -> backend.expertGemv(xf, 2, up, ids, o, 2, EXPERTS, IN, OUT));
            float[] exact = run(2 * OUT, o -> backend.expertGateUpSilu(xf, 2, gate, up, ids, o, 2, EXPERTS, IN, OUT));
            float[] q8 = run(2 * OUT, o -> backend.expertGateUpSilu(xq, 2, gate, up, ids, o, 2, EXPERTS, IN, OUT));
            for (int p = 0; p < 2; p++) {
                for (int o = 0; o < OUT; o++) {
                    double eg = bound(gv, idArray[p], o, x, 0);
                    double eu = bound(uv, idArray[p], o, x, 0);
                    int at = p * OUT + o;
                    double b = 1.1 * eg * (Math.abs(u[at]) + eu) + (Math.abs(g[at]) + eg) * eu
                            + 1e-6 * Math.abs(exact[at]);
                    double err = Math.abs(exact[at] - q8[at]);
                    assertTrue(err <= b, type + " gate+up+SiLU pair " + p + " row " + o + ": |error| " + err
                            + " > bound " + b);
                }
            }
        }
    }

    @Test
    void q8ActivationsNeedQuantizedWeights() {
        DeviceBuffer w = backend.allocate("dense", DType.BF16, (long) EXPERTS * OUT * IN);
        DeviceBuffer xq = q8(random(IN, 1), 1);
        DeviceBuffer ids = i32("ids", new int[] {0});
        DeviceBuffer out = backend.allocate("out", DType.F32, OUT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> backend.expertGemv(xq, 1, w, ids, out, 1, EXPERTS, IN, OUT));
        assertTrue(e.getMessage().startsWith("x: buffer 'xq' holds Q8_0 activations, which need quantized weights"),
                e.getMessage());
        DeviceBuffer dense = backend.allocate("denseX", DType.F32, OUT);
        assertThrows(IllegalArgumentException.class, () -> backend.matmul(xq, w, dense, 1, IN, OUT));
    }

    private float[] grouped(DeviceBuffer x, DeviceBuffer w, int[] selectedIds) {
        int tokens = 2;
        int k = 2;
        int pairs = tokens * k;
        DeviceBuffer selected = i32("selected", selectedIds);
        DeviceBuffer counts = backend.allocate("counts", DType.I32, EXPERTS);
        DeviceBuffer offsets = backend.allocate("offsets", DType.I32, EXPERTS + 1);
        DeviceBuffer sorted = backend.allocate("sorted", DType.I32, pairs);
        int tile = backend.groupedGemmTileRows();
        DeviceBuffer work = backend.allocate("work", DType.I32, 2L * DispatchPlan.maxTiles(pairs, EXPERTS, tile) + 1);
        backend.buildDispatch(selected, counts, offsets, sorted, work, tokens, EXPERTS, k, tile);
        return run(pairs * OUT, o -> backend.groupedGemm(x, k, w, o, counts, offsets, sorted, work, tokens, k,
                EXPERTS, IN, OUT, pairs));
    }

    private float[] run(int n, java.util.function.Consumer<DeviceBuffer> op) {
        DeviceBuffer out = backend.allocate("out", DType.F32, n);
        op.accept(out);
        return backend.readFloats(out, 0, n);
    }
}
