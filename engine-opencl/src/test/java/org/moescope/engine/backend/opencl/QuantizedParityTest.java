package org.moescope.engine.backend.opencl;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.moe.DispatchPlan;

/**
 * Every quantized weight type through every weight-reading kernel family on OpenCL, on both kernel styles, against
 * the Java reference on the same blocks (fillRandom, checked byte for byte; both decode them exactly as ggml does, so
 * only the summation order differs): the dense matmul (CPU rows kernel, GPU GEMV
 * and tiled GEMM), the embedding (exact), the expert GEMV and fused gate+up+SiLU (lanes per row; whole rows with 1, 3
 * and 32 rows per item, with pairs that share an expert) and the grouped GEMM (local-memory tiles, barrier-free tiles,
 * indirect and direct dispatch). Within 2e-5 * (1 + |reference|), as the float parity tests. With Q8 activations
 * quantizeQ8 gives the reference's Q8_0 blocks byte for byte, and the integer-dot products (exact integer sums, float
 * scales on the device, double on the reference) stay within the same bound.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuantizedParityTest {
    private static final double TOLERANCE = 2e-5;
    private static final DType[] TYPES = {DType.Q8_0, DType.Q4_0, DType.Q5_0, DType.Q4_K, DType.Q5_K, DType.Q6_K};

    @AutoClose
    private final MoeParityFixture f = new MoeParityFixture();

    @AfterEach
    void releaseBuffers() {
        f.releaseBuffers();
    }

    static Stream<Arguments> types() {
        return Stream.of(TYPES).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void denseMatmulKernels(DType dtype) {
        MatmulKernels matmuls = new MatmulKernels(f.cl.launcher());
        int[][] tokenInOut = {{1, 256, 67}, {3, 512, 17}, {17, 256, 130}};
        for (int[] s : tokenInOut) {
            int tokens = s[0];
            int in = s[1];
            int out = s[2];
            var x = f.random("x", DType.F32, (long) tokens * in, 51, 1f);
            var w = f.quantized("w", dtype, (long) out * in, 52, 0.5f);
            var y = f.zeros("y", DType.F32, (long) tokens * out);
            f.java.matmul(x.java(), w.java(), y.java(), tokens, in, out);
            String shape = dtype + " tokens=" + tokens + " in=" + in + " out=" + out;
            ClBuffer xb = (ClBuffer) x.cl();
            ClBuffer wb = (ClBuffer) w.cl();
            ClBuffer yb = (ClBuffer) y.cl();
            matmuls.rows(xb, wb, yb, tokens, in, out, Math.min(tokens, 4));
            f.assertClose(y, tokens * out, TOLERANCE, shape + " CPU rows");
            f.cl.fill(y.cl(), Float.NaN);
            matmuls.gemv(xb, wb, yb, tokens, in, out);
            f.assertClose(y, tokens * out, TOLERANCE, shape + " GPU GEMV");
            f.cl.fill(y.cl(), Float.NaN);
            matmuls.gemm(xb, wb, yb, tokens, in, out);
            f.assertClose(y, tokens * out, TOLERANCE, shape + " GPU tiled GEMM");
            f.cl.fill(y.cl(), Float.NaN);
            f.cl.matmul(x.cl(), w.cl(), y.cl(), tokens, in, out);
            f.assertClose(y, tokens * out, TOLERANCE, shape + " device dispatch");
            f.releaseBuffers();
        }
        // the three projections in one launch, as attention's q, k, v
        var x = f.random("x", DType.F32, 2L * 256, 53, 1f);
        var w0 = f.quantized("w0", dtype, 64L * 256, 54, 0.5f);
        var w1 = f.quantized("w1", dtype, 32L * 256, 55, 0.5f);
        var w2 = f.quantized("w2", dtype, 32L * 256, 56, 0.5f);
        var y0 = f.zeros("y0", DType.F32, 2L * 64);
        var y1 = f.zeros("y1", DType.F32, 2L * 32);
        var y2 = f.zeros("y2", DType.F32, 2L * 32);
        f.java.matmul3(x.java(), 2, 256, w0.java(), y0.java(), 64, w1.java(), y1.java(), 32, w2.java(), y2.java(), 32);
        f.cl.matmul3(x.cl(), 2, 256, w0.cl(), y0.cl(), 64, w1.cl(), y1.cl(), 32, w2.cl(), y2.cl(), 32);
        f.assertClose(y0, 128, TOLERANCE, dtype + " matmul3 q");
        f.assertClose(y1, 64, TOLERANCE, dtype + " matmul3 k");
        f.assertClose(y2, 64, TOLERANCE, dtype + " matmul3 v");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void embeddingDecodesRowsExactly(DType dtype) {
        int vocab = 37;
        int hidden = 512;
        var table = f.quantized("table", dtype, (long) vocab * hidden, 11, 1f);
        var ids = f.ints("ids", new int[] {5, 0, 36, 5, 17});
        var out = f.zeros("out", DType.F32, 5L * hidden);
        f.java.embedding(table.java(), ids.java(), out.java(), 5, hidden, vocab);
        f.cl.embedding(table.cl(), ids.cl(), out.cl(), 5, hidden, vocab);
        f.assertClose(out, 5 * hidden, 0, dtype + " embedding");
    }

    /** (label, pairs, xRowDivisor, experts, inDim, outDim, ids) with rows of whole 256-blocks. */
    private static Object[][] gemvShapes() {
        Random r = new Random(9);
        return new Object[][] {
                {"single pair", 1, 1, 4, 256, 67, new int[] {3}},
                {"decode k=8", 8, 8, 32, 512, 24, DispatchParityTest.distinctPerToken(r, 1, 32, 8)},
                {"shared experts B=16", 128, 8, 16, 256, 13, DispatchParityTest.distinctPerToken(r, 16, 16, 8)},
                {"groups of 1, 3, 4, 5, 7", 20, 1, 5, 256, 9,
                        new int[] {3, 1, 3, 2, 0, 3, 2, 3, 1, 2, 4, 3, 2, 0, 1, 3, 2, 3, 0, 1}}};
    }

    static Stream<Arguments> gemvCases() {
        MoeKernelTuning[] tunings = {
                new MoeKernelTuning(8, 8, 4, 1, 1, 32, 8, 1, 16, false),   // 32 lanes x 8 rows per work-group
                new MoeKernelTuning(8, 8, 4, 1, 1, 1, 1, 3, 16, true),     // barrier-free, 3 whole rows per item
                new MoeKernelTuning(8, 8, 4, 1, 1, 1, 1, 32, 16, true)};   // barrier-free, 32 rows: the CPU default
        List<Arguments> all = new ArrayList<>();
        for (DType dtype : TYPES) {
            for (MoeKernelTuning t : tunings) {
                all.add(Arguments.of(dtype + (t.barrierFree() ? " whole rows x" + t.gemvItemRows() : " lanes"), dtype, t));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gemvCases")
    void expertGemvAndFusedGateUpSilu(String label, DType dtype, MoeKernelTuning tuning) {
        var moe = new OpenClMoeKernels(f.cl.launcher(), tuning);
        for (Object[] s : gemvShapes()) {
            int pairs = (int) s[1];
            int divisor = (int) s[2];
            int experts = (int) s[3];
            int inDim = (int) s[4];
            int outDim = (int) s[5];
            int[] ids = (int[]) s[6];
            String what = label + " " + s[0];
            var x = f.random("x", DType.F32, (long) pairs / divisor * inDim, 31, 1f);
            var w = f.quantized("w", dtype, (long) experts * outDim * inDim, 32, 0.5f);
            var up = f.quantized("up", dtype, (long) experts * outDim * inDim, 33, 0.5f);
            var idBuf = f.ints("ids", ids);
            var out = f.zeros("out", DType.F32, (long) pairs * outDim);
            f.java.expertGemv(x.java(), divisor, w.java(), idBuf.java(), out.java(), pairs, experts, inDim, outDim);
            f.cl.fill(out.cl(), Float.NaN);
            moe.expertGemv(x.cl(), divisor, w.cl(), idBuf.cl(), out.cl(), pairs, experts, inDim, outDim);
            f.assertClose(out, pairs * outDim, TOLERANCE, what + " gemv");
            f.java.expertGateUpSilu(x.java(), divisor, w.java(), up.java(), idBuf.java(), out.java(), pairs, experts,
                    inDim, outDim);
            f.cl.fill(out.cl(), Float.NaN);
            moe.expertGateUpSilu(x.cl(), divisor, w.cl(), up.cl(), idBuf.cl(), out.cl(), pairs, experts, inDim, outDim);
            f.assertClose(out, pairs * outDim, TOLERANCE, what + " gate_up_silu");
            f.releaseBuffers();
        }
    }

    static Stream<Arguments> gemmCases() {
        MoeKernelTuning[] tunings = {
                new MoeKernelTuning(8, 12, 4, 2, 3, 32, 8, 1, 16, false),   // local-memory tiles, 2x3 per item
                new MoeKernelTuning(7, 3, 4, 1, 1, 32, 8, 1, 16, true),     // barrier-free 7 pairs x 3 columns
                MoeKernelTuning.forDevice(false, 4096, 0)};                 // the CPU defaults (4 x 4 blocks)
        List<Arguments> all = new ArrayList<>();
        for (DType dtype : TYPES) {
            for (MoeKernelTuning t : tunings) {
                all.add(Arguments.of(dtype + (t.barrierFree() ? " barrier-free " + t.tileRows() + "x" + t.tileCols()
                        : " local tiles"), dtype, t));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gemmCases")
    void groupedGemm(String label, DType dtype, MoeKernelTuning tuning) {
        Random r = new Random(3);
        Object[][] shapes = {
                {"gate, x per token", 37, 4, 16, 256, 24, 4, DispatchParityTest.distinctPerToken(r, 37, 16, 4)},
                {"3, 4, 1, 2 pairs", 5, 2, 4, 512, 5, 1, new int[] {0, 1, 0, 1, 0, 1, 1, 3, 2, 3}},
                {"all to one expert", 24, 1, 8, 256, 13, 1, DispatchParityTest.filled(24, 5)}};
        var moe = new OpenClMoeKernels(f.cl.launcher(), tuning);
        for (Object[] s : shapes) {
            int tokens = (int) s[1];
            int k = (int) s[2];
            int experts = (int) s[3];
            int inDim = (int) s[4];
            int outDim = (int) s[5];
            int divisor = (int) s[6];
            int[] ids = (int[]) s[7];
            int pairs = tokens * k;
            DispatchPlan plan = DispatchPlan.fromIds(ids, tokens, experts, k);
            var x = f.random("x", DType.F32, (long) pairs / divisor * inDim, 21, 1f);
            var w = f.quantized("w", dtype, (long) experts * outDim * inDim, 22, 0.5f);
            var selected = f.ints("selectedIds", ids);
            var counts = f.ints("counts", plan.counts());
            var offsets = f.ints("offsets", plan.offsets());
            var sorted = f.ints("sortedPairs", plan.sortedPairs());
            DeviceBuffer workList = f.clBuffer("workList", DType.I32,
                    2L * DispatchPlan.maxTiles(pairs, experts, moe.groupedGemmTileRows()) + 1);
            var out = f.zeros("out", DType.F32, (long) pairs * outDim);
            f.java.groupedGemm(x.java(), divisor, w.java(), out.java(), counts.java(), offsets.java(), sorted.java(),
                    null, tokens, k, experts, inDim, outDim, plan.maxPerExpert());
            moe.buildDispatch(selected.cl(), counts.cl(), offsets.cl(), sorted.cl(), workList, tokens, experts, k,
                    moe.groupedGemmTileRows());
            for (boolean indirect : new boolean[] {true, false}) {
                f.cl.fill(out.cl(), Float.NaN);
                moe.groupedGemm(x.cl(), divisor, w.cl(), out.cl(), counts.cl(), offsets.cl(), sorted.cl(),
                        indirect ? workList : null, tokens, k, experts, inDim, outDim, plan.maxPerExpert());
                f.assertClose(out, pairs * outDim, TOLERANCE, label + " " + s[0] + (indirect ? " indirect" : " direct"));
            }
            f.releaseBuffers();
        }
    }

    static Stream<Arguments> q8Cases() {
        List<Arguments> all = new ArrayList<>();
        for (DType dtype : TYPES) {
            all.add(Arguments.of(dtype + " lanes / local tiles", dtype, new MoeKernelTuning(8, 12, 4, 2, 3, 8, 4, 1, 16,
                    false)));
            all.add(Arguments.of(dtype + " whole rows", dtype, new MoeKernelTuning(7, 3, 4, 1, 1, 1, 1, 5, 16, true)));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("q8Cases")
    void q8Activations(String label, DType dtype, MoeKernelTuning tuning) {
        checkQ8Activations(f, label, dtype, tuning);
    }

    /**
     * Expert GEMV, fused gate+up+SiLU and grouped GEMM (both dispatches) with a Q8_0 x on {@code f}'s OpenCL backend
     * against the Java reference's integer products.
     */
    static void checkQ8Activations(MoeParityFixture f, String label, DType dtype, MoeKernelTuning tuning) {
        var moe = new OpenClMoeKernels(f.cl.launcher(), tuning);
        int tokens = 6;
        int k = 3;
        int pairs = tokens * k;
        int experts = 5;
        int hidden = 512;
        int inter = 256;
        int[] ids = DispatchParityTest.distinctPerToken(new Random(12), tokens, experts, k);
        var idBuf = f.ints("ids", ids);
        var gate = f.quantized("gate", dtype, (long) experts * inter * hidden, 41, 0.5f);
        var up = f.quantized("up", dtype, (long) experts * inter * hidden, 42, 0.5f);
        var down = f.quantized("down", dtype, (long) experts * hidden * inter, 43, 0.5f);
        var x = q8(f, "x", tokens, hidden, 44);
        var out = f.zeros("out", DType.F32, (long) pairs * inter);
        f.java.expertGemv(x.java(), k, gate.java(), idBuf.java(), out.java(), pairs, experts, hidden, inter);
        f.cl.fill(out.cl(), Float.NaN);
        moe.expertGemv(x.cl(), k, gate.cl(), idBuf.cl(), out.cl(), pairs, experts, hidden, inter);
        f.assertClose(out, pairs * inter, TOLERANCE, label + " Q8 gemv");
        f.java.expertGateUpSilu(x.java(), k, gate.java(), up.java(), idBuf.java(), out.java(), pairs, experts, hidden,
                inter);
        f.cl.fill(out.cl(), Float.NaN);
        moe.expertGateUpSilu(x.cl(), k, gate.cl(), up.cl(), idBuf.cl(), out.cl(), pairs, experts, hidden, inter);
        f.assertClose(out, pairs * inter, TOLERANCE, label + " Q8 gate_up_silu");

        var act = q8(f, "act", pairs, inter, 45);
        var downOut = f.zeros("downOut", DType.F32, (long) pairs * hidden);
        DispatchPlan plan = DispatchPlan.fromIds(ids, tokens, experts, k);
        var counts = f.ints("counts", plan.counts());
        var offsets = f.ints("offsets", plan.offsets());
        var sorted = f.ints("sortedPairs", plan.sortedPairs());
        DeviceBuffer workList = f.clBuffer("workList", DType.I32,
                2L * DispatchPlan.maxTiles(pairs, experts, moe.groupedGemmTileRows()) + 1);
        moe.buildDispatch(idBuf.cl(), counts.cl(), offsets.cl(), sorted.cl(), workList, tokens, experts, k,
                moe.groupedGemmTileRows());
        f.java.groupedGemm(act.java(), 1, down.java(), downOut.java(), counts.java(), offsets.java(), sorted.java(),
                null, tokens, k, experts, inter, hidden, plan.maxPerExpert());
        for (boolean indirect : new boolean[] {true, false}) {
            f.cl.fill(downOut.cl(), Float.NaN);
            moe.groupedGemm(act.cl(), 1, down.cl(), downOut.cl(), counts.cl(), offsets.cl(), sorted.cl(),
                    indirect ? workList : null, tokens, k, experts, inter, hidden, plan.maxPerExpert());
            f.assertClose(downOut, pairs * hidden, TOLERANCE, label + " Q8 grouped gemm" + (indirect ? " indirect" : " direct"));
        }
    }

    /** Random F32 rows quantized into Q8_0 on both backends, checked to be the same blocks. */
    private static MoeParityFixture.Twin q8(MoeParityFixture f, String name, int rows, int n, long seed) {
        var x = f.random(name + ".f32", DType.F32, (long) rows * n, seed, 1f);
        var xq = f.zeros(name, DType.Q8_0, (long) rows * n);
        f.cl.quantizeQ8(x.cl(), xq.cl(), rows, n);
        f.java.quantizeQ8(x.java(), xq.java(), rows, n);
        f.assertSameBytes(xq, (long) rows * n, name + " quantizeQ8");
        return xq;
    }
}
