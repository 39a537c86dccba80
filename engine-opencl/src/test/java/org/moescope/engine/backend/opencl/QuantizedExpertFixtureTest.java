package org.moescope.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.moescope.engine.OpenClTestSupport;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.Precision;
import org.moescope.engine.moe.DispatchPlan;

/**
 * The expert kernels on OpenCL with the ggml-written expert weights of the GGUF fixtures (Q4_K and Q6_K of
 * gguf-tiny-k, Q8_0 of gguf-tiny-q8), on both kernel styles, against double products of the weights as the device
 * decodes them (which QuantizedDecodeFixtureTest checks against ggml): the expert GEMV, the fused gate+up+SiLU
 * (including pairs that share an expert) and the grouped GEMM, with F32 x and with Q8 activations. quantizeQ8 gives
 * ggml's quantize_row_q8_0 blocks; with a Q8_0 x the products equal the exact product of the weights with the
 * dequantized Q8 x up to the rounding of the per-block scale products (the integer dot products are exact). Bound:
 * 2e-6 of sum |w * x| (float summation over 256 terms stays well inside it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuantizedExpertFixtureTest {
    private static final int HIDDEN = 256;
    private static final int EXPERTS = 8;
    private static final double BOUND = 2e-6;

    @AutoClose
    private final MoeParityFixture f = new MoeParityFixture();
    private final List<DeviceBuffer> buffers = new ArrayList<>();

    @AfterEach
    void release() {
        buffers.forEach(DeviceBuffer::close);
        buffers.clear();
        f.releaseBuffers();
    }

    /** (label, fixture, tuning, Q8 activations). */
    static Stream<Arguments> cases() {
        MoeKernelTuning[] tunings = {
                new MoeKernelTuning(8, 12, 4, 2, 3, 4, 8, 1, 16, false),    // lanes sharing a row, local-memory tiles (GPU)
                new MoeKernelTuning(7, 3, 4, 1, 1, 1, 1, 3, 16, true)};     // whole rows per work-item (CPU)
        List<Arguments> all = new ArrayList<>();
        for (MoeKernelTuning t : tunings) {
            String style = t.barrierFree() ? "CPU" : "GPU";
            for (boolean q8 : new boolean[] {false, true}) {
                String x = q8 ? " Q8 x" : " F32 x";
                all.add(Arguments.of("Q4_K gate, Q6_K down " + style + x, "gguf-tiny-k/model.gguf", t, q8));
                all.add(Arguments.of("Q8_0 " + style + x, "gguf-tiny-q8/model.gguf", t, q8));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void expertProductsMatchTheDecodedWeights(String label, String file, MoeKernelTuning tuning, boolean q8) {
        GgufFixtureTensors gguf = new GgufFixtureTensors(GgufFixtureTensors.fixture(file));
        var moe = new OpenClMoeKernels(f.cl.launcher(), tuning);
        DeviceBuffer gate = weights(gguf, "blk.0.ffn_gate_exps.weight");
        DeviceBuffer up = weights(gguf, "blk.0.ffn_up_exps.weight");
        DeviceBuffer down = weights(gguf, "blk.1.ffn_down_exps.weight");
        float[] gateW = hostWeights(gate);
        float[] upW = hostWeights(up);
        float[] downW = hostWeights(down);

        int tokens = 5;
        int k = 2;
        int pairs = tokens * k;
        int[] ids = DispatchParityTest.distinctPerToken(new Random(4), tokens, EXPERTS, k);
        ids[4] = ids[0];   // two tokens share an expert: the CPU kernels compute them together
        ids[9] = ids[0];
        var idBuf = f.ints("ids", ids);
        var x = f.random("x", DType.F32, (long) tokens * HIDDEN, 71, 1f);
        DeviceBuffer xq = x.cl();
        float[] xs = f.cl.readFloats(x.cl(), 0, tokens * HIDDEN);
        if (q8) {
            xq = track(f.cl.allocate("xq", DType.Q8_0, (long) tokens * HIDDEN));
            moe.quantizeQ8(x.cl(), xq, tokens, HIDDEN);
            xs = dequantizeQ8(f.cl.readBytes(xq, 0, (long) tokens * HIDDEN));
        }

        DeviceBuffer out = track(f.cl.allocate("out", DType.F32, (long) pairs * HIDDEN));
        f.cl.fill(out, Float.NaN);
        moe.expertGemv(xq, k, gate, idBuf.cl(), out, pairs, EXPERTS, HIDDEN, HIDDEN);
        check(label + " gemv", f.cl.readFloats(out, 0, pairs * HIDDEN), gateW, null, xs, ids, k);

        f.cl.fill(out, Float.NaN);
        moe.expertGateUpSilu(xq, k, gate, up, idBuf.cl(), out, pairs, EXPERTS, HIDDEN, HIDDEN);
        check(label + " gate_up_silu", f.cl.readFloats(out, 0, pairs * HIDDEN), gateW, upW, xs, ids, k);

        // the down projection: x per pair, through the grouped GEMM (both dispatches)
        var act = f.random("act", DType.F32, (long) pairs * HIDDEN, 72, 1f);
        DeviceBuffer actQ = act.cl();
        float[] as = f.cl.readFloats(act.cl(), 0, pairs * HIDDEN);
        if (q8) {
            actQ = track(f.cl.allocate("actQ", DType.Q8_0, (long) pairs * HIDDEN));
            moe.quantizeQ8(act.cl(), actQ, pairs, HIDDEN);
            as = dequantizeQ8(f.cl.readBytes(actQ, 0, (long) pairs * HIDDEN));
        }
        DispatchPlan plan = DispatchPlan.fromIds(ids, tokens, EXPERTS, k);
        var counts = f.ints("counts", plan.counts());
        var offsets = f.ints("offsets", plan.offsets());
        var sorted = f.ints("sorted", plan.sortedPairs());
        DeviceBuffer workList = track(f.cl.allocate("workList", DType.I32,
                2L * DispatchPlan.maxTiles(pairs, EXPERTS, moe.groupedGemmTileRows()) + 1));
        moe.buildDispatch(idBuf.cl(), counts.cl(), offsets.cl(), sorted.cl(), workList, tokens, EXPERTS, k,
                moe.groupedGemmTileRows());
        for (boolean indirect : new boolean[] {true, false}) {
            f.cl.fill(out, Float.NaN);
            moe.groupedGemm(actQ, 1, down, out, counts.cl(), offsets.cl(), sorted.cl(), indirect ? workList : null,
                    tokens, k, EXPERTS, HIDDEN, HIDDEN, plan.maxPerExpert());
            check(label + " grouped gemm " + (indirect ? "indirect" : "direct"), f.cl.readFloats(out, 0, pairs * HIDDEN),
                    downW, null, as, ids, 1);
        }
    }

    @Test
    void quantizeQ8GivesGgmlBlocks() {
        int rows = 3;
        int n = 96;
        float[] values = new float[rows * n];
        Random r = new Random(8);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) r.nextGaussian() * (i / 32 == 4 ? 1e-3f : 2f);
        }
        Arrays.fill(values, 32, 64, 0f);             // an all-zero block: d = 0, q = 0
        values[100] = 127f * 0.5f;                     // x / d exactly ±k.5 rounds away from zero
        values[101] = -63.5f * 0.5f;
        var x = f.floats("x", values);
        DeviceBuffer xq = track(f.cl.allocate("xq", DType.Q8_0, (long) rows * n));
        f.cl.quantizeQ8(x.cl(), xq, rows, n);
        ByteBuffer got = f.cl.readBytes(xq, 0, (long) rows * n);
        for (int b = 0; b < rows * n / 32; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(values[b * 32 + j]));
            }
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            assertEquals(Precision.floatToF16(d), got.getShort(b * 34), "block " + b + " scale");
            for (int j = 0; j < 32; j++) {
                float v = values[b * 32 + j] * id;
                int q = (int) (Math.signum(v) * Math.floor(Math.abs(v) + 0.5f));   // C roundf
                assertEquals((byte) q, got.get(b * 34 + 2 + j), "block " + b + " value " + j + " (" + v + ")");
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> f.cl.quantizeQ8(x.cl(), xq, 3, 48));
        assertTrue(e.getMessage().contains("multiple of 32"), e.getMessage());
    }

    @Test
    void q8ActivationsNeedQuantizedWeights() {
        var w = f.random("w", DType.BF16, 2L * 32 * 32, 1, 1f);
        DeviceBuffer xq = track(f.cl.allocate("xq", DType.Q8_0, 32));
        var ids = f.ints("ids", new int[] {1});
        var out = f.zeros("out", DType.F32, 32);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> f.cl.expertGemv(xq, 1, w.cl(), ids.cl(), out.cl(), 1, 2, 32, 32));
        assertTrue(e.getMessage().contains("Q8 activations need quantized weights"), e.getMessage());
    }

    /** out[p, r] against the double product of the host weights (and SiLU of gate times up) with the Q8 x. */
    private static void check(String what, float[] got, float[] w, float[] up, float[] xs, int[] ids, int divisor) {
        for (int p = 0; p < ids.length; p++) {
            for (int r = 0; r < HIDDEN; r++) {
                int xRow = p / divisor;
                double[] dm = dot(w, ids[p], r, xs, xRow);
                double want = dm[0];
                double bound = BOUND * dm[1] + 1e-7;
                if (up != null) {
                    double[] u = dot(up, ids[p], r, xs, xRow);
                    double silu = dm[0] / (1 + Math.exp(-dm[0]));
                    want = silu * u[0];
                    bound = BOUND * (dm[1] * Math.abs(u[0]) + Math.abs(silu) * u[1]) + 1e-7;
                }
                double g = got[p * HIDDEN + r];
                if (!(Math.abs(g - want) <= bound)) {
                    fail(what + ": pair " + p + " row " + r + " is " + g + ", want " + want + " (bound " + bound + ")");
                }
            }
        }
    }

    /** {w[expert, row] · x[xRow], sum |w x|}. */
    private static double[] dot(float[] w, int expert, int row, float[] xs, int xRow) {
        double sum = 0;
        double mag = 0;
        for (int i = 0; i < HIDDEN; i++) {
            double p = (double) w[(expert * HIDDEN + row) * HIDDEN + i] * xs[xRow * HIDDEN + i];
            sum += p;
            mag += Math.abs(p);
        }
        return new double[] {sum, mag};
    }

    private DeviceBuffer weights(GgufFixtureTensors gguf, String name) {
        GgufFixtureTensors.Tensor t = gguf.get(name);
        assertEquals((long) EXPERTS * HIDDEN * HIDDEN, t.elements(), name);
        DeviceBuffer b = track(f.cl.allocate(name, t.dtype(), t.elements()));
        f.cl.upload(b, 0, t.bytes().duplicate());
        return b;
    }

    /** The weights as the device decodes them (checked against ggml by QuantizedDecodeFixtureTest), by embedding. */
    private float[] hostWeights(DeviceBuffer w) {
        int rows = EXPERTS * HIDDEN;
        int[] ids = new int[rows];
        Arrays.setAll(ids, i -> i);
        var idBuf = f.ints("rows", ids);
        DeviceBuffer out = track(f.cl.allocate("decoded", DType.F32, (long) rows * HIDDEN));
        f.cl.embedding(w, idBuf.cl(), out, rows, HIDDEN, rows);
        return f.cl.readFloats(out, 0, rows * HIDDEN);
    }

    /** Q8_0 blocks to floats: d * q. */
    static float[] dequantizeQ8(ByteBuffer blocks) {
        ByteBuffer b = blocks.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 34 * 32];
        for (int blk = 0; blk < out.length / 32; blk++) {
            float d = Precision.f16ToFloat(b.getShort(blk * 34));
            for (int j = 0; j < 32; j++) {
                out[blk * 32 + j] = b.get(blk * 34 + 2 + j) * d;
            }
        }
        return out;
    }

    private DeviceBuffer track(DeviceBuffer b) {
        buffers.add(b);
        return b;
    }
}
