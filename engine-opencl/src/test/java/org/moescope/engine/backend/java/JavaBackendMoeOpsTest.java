package org.moescope.engine.backend.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.moescope.engine.backend.java.JavaBackendTest.random;

import org.junit.jupiter.api.Test;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.moe.DispatchPlan;

/** The MoE ops of the reference backend against formulas written out here. */
class JavaBackendMoeOpsTest {
    private static final float UNWRITTEN = -12345f;
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

    DeviceBuffer ints(String name, int n) {
        return backend.allocate(name, DType.I32, n);
    }

    /** out[p, o] = sum_i w[e, o, i] * x[row, i]. */
    static double expertDot(float[] w, int e, int o, int outDim, int inDim, float[] x, int row) {
        double acc = 0;
        for (int i = 0; i < inDim; i++) {
            acc += (double) w[(e * outDim + o) * inDim + i] * x[row * inDim + i];
        }
        return acc;
    }

    @Test
    void routeTopkWritesIdsAndWeights() {
        DeviceBuffer ids = ints("ids", 4);
        DeviceBuffer w = backend.allocate("w", DType.F32, 4);
        backend.routeTopk(f32("logits", new float[] {0, 2, 1, 2, 5, 0, 0, 0}), ids, w, 2, 4, 2, false);
        assertArrayEquals(new int[] {1, 3, 0, 1}, backend.readInts(ids, 0, 4));
        double z0 = 1 + 2 * Math.exp(2) + Math.exp(1);
        double z1 = Math.exp(5) + 3;
        float[] got = backend.readFloats(w, 0, 4);
        assertEquals(Math.exp(2) / z0, got[0], 1e-6);
        assertEquals(Math.exp(2) / z0, got[1], 1e-6);
        assertEquals(Math.exp(5) / z1, got[2], 1e-6);
        assertEquals(1 / z1, got[3], 1e-6);
    }

    @Test
    void buildDispatchGroupsPairsAndListsTiles() {
        // 4 tokens, k = 2, 3 experts, tile height 2; pair p = t * 2 + s
        int[] ids = {2, 0, 2, 1, 2, 0, 2, 1};
        DeviceBuffer counts = ints("counts", 3);
        DeviceBuffer offsets = ints("offsets", 4);
        DeviceBuffer sorted = ints("sorted", 8);
        int maxTiles = DispatchPlan.maxTiles(8, 3, 2);
        DeviceBuffer work = ints("work", 2 * maxTiles + 1);
        backend.buildDispatch(i32("ids", ids), counts, offsets, sorted, work, 4, 3, 2, 2);
        assertArrayEquals(new int[] {2, 2, 4}, backend.readInts(counts, 0, 3));
        assertArrayEquals(new int[] {0, 2, 4, 8}, backend.readInts(offsets, 0, 4));
        assertArrayEquals(new int[] {1, 5, 3, 7, 0, 2, 4, 6}, backend.readInts(sorted, 0, 8));
        assertArrayEquals(new int[] {4, 0, 0, 1, 0, 2, 0, 2, 2}, backend.readInts(work, 0, 9));
    }

    /** A routing where expert 1 gets no pair and expert 3 gets most. */
    private static final int TOKENS = 21;
    private static final int K = 2;
    private static final int EXPERTS = 4;
    private static final int IN = 5;
    private static final int OUT = 3;

    private static int[] skewedIds() {
        int[] ids = new int[TOKENS * K];
        for (int t = 0; t < TOKENS; t++) {
            ids[t * K] = 3;
            ids[t * K + 1] = t % 3 == 0 ? 2 : 0;
        }
        return ids;
    }

    @Test
    void groupedGemmDirectAndIndirectComputeEveryRoutedPair() {
        int[] ids = skewedIds();
        int pairs = TOKENS * K;
        float[] x = random(TOKENS * IN, 11);
        float[] w = random(EXPERTS * OUT * IN, 12);
        DispatchPlan plan = DispatchPlan.fromIds(ids, TOKENS, EXPERTS, K);
        int tileRows = backend.groupedGemmTileRows();
        DeviceBuffer counts = ints("counts", EXPERTS);
        DeviceBuffer offsets = ints("offsets", EXPERTS + 1);
        DeviceBuffer sorted = ints("sorted", pairs);
        DeviceBuffer work = ints("work", 2 * DispatchPlan.maxTiles(pairs, EXPERTS, tileRows) + 1);
        backend.buildDispatch(i32("ids", ids), counts, offsets, sorted, work, TOKENS, EXPERTS, K, tileRows);
        DeviceBuffer xb = f32("x", x);
        for (DType dt : new DType[] {DType.F32, DType.BF16}) {
            DeviceBuffer wb = backend.allocate("w", dt, w.length);
            backend.write(wb, w);
            float[] stored = backend.readFloats(wb, 0, w.length);
            for (boolean indirect : new boolean[] {true, false}) {
                DeviceBuffer out = backend.allocate("out", DType.F32, pairs * OUT);
                backend.fill(out, UNWRITTEN);
                long tiles = backend.groupedGemm(xb, K, wb, out, counts, offsets, sorted, indirect ? work : null,
                        TOKENS, K, EXPERTS, IN, OUT, plan.maxPerExpert());
                long expectedTiles = indirect ? DispatchPlan.maxTiles(pairs, EXPERTS, tileRows)
                        : DispatchPlan.directTiles(EXPERTS, plan.maxPerExpert(), tileRows);
                assertEquals(expectedTiles, tiles);
                float[] got = backend.readFloats(out, 0, pairs * OUT);
                for (int p = 0; p < pairs; p++) {
                    for (int o = 0; o < OUT; o++) {
                        assertEquals(expertDot(stored, ids[p], o, OUT, IN, x, p / K), got[p * OUT + o], 1e-5,
                                dt + " indirect=" + indirect + " p=" + p);
                    }
                }
            }
        }
        // the two grids differ: 42 pairs in tiles of 16 -> indirect 3 + 4 = 7, direct 4 experts x 2 tiles = 8
        assertEquals(7, DispatchPlan.maxTiles(pairs, EXPERTS, tileRows));
        assertEquals(8, DispatchPlan.directTiles(EXPERTS, plan.maxPerExpert(), tileRows));
    }

    @Test
    void groupedGemmHonoursTheWorkListAndTheDirectGrid() {
        int[] ids = skewedIds();
        int pairs = TOKENS * K;
        DispatchPlan plan = DispatchPlan.fromIds(ids, TOKENS, EXPERTS, K);
        DeviceBuffer xb = f32("x", random(TOKENS * IN, 13));
        DeviceBuffer wb = f32("w", random(EXPERTS * OUT * IN, 14));
        DeviceBuffer counts = i32("counts", plan.counts());
        DeviceBuffer offsets = i32("offsets", plan.offsets());
        DeviceBuffer sorted = i32("sorted", plan.sortedPairs());
        // expert 3 has 21 pairs: two tiles (rows 0..15, 16..20); listing only its first tile skips rows 16..20
        int maxTiles = DispatchPlan.maxTiles(pairs, EXPERTS, 16);
        int[] list = new int[2 * maxTiles + 1];
        list[0] = 1;
        list[1] = 3;
        list[2] = 0;
        DeviceBuffer out = backend.allocate("out", DType.F32, pairs * OUT);
        backend.fill(out, UNWRITTEN);
        backend.groupedGemm(xb, K, wb, out, counts, offsets, sorted, i32("work", list), TOKENS, K, EXPERTS, IN, OUT,
                pairs);
        assertEquals(16 * OUT, written(backend.readFloats(out, 0, pairs * OUT)));
        // a tile of expert 0 (14 pairs) writes its 14 rows and none of the next expert's segment
        list[1] = 0;
        backend.fill(out, UNWRITTEN);
        backend.groupedGemm(xb, K, wb, out, counts, offsets, sorted, i32("work0", list), TOKENS, K, EXPERTS, IN, OUT,
                pairs);
        assertEquals(plan.counts()[0] * OUT, written(backend.readFloats(out, 0, pairs * OUT)));
        // a direct grid sized for 16 rows per expert also leaves expert 3's rows 16..20 out
        backend.fill(out, UNWRITTEN);
        assertEquals(4, backend.groupedGemm(xb, K, wb, out, counts, offsets, sorted, null, TOKENS, K, EXPERTS, IN,
                OUT, 16));
        assertEquals((pairs - 5) * OUT, written(backend.readFloats(out, 0, pairs * OUT)));
    }

    private static int written(float[] out) {
        return (int) java.util.stream.IntStream.range(0, out.length).filter(i -> out[i] != UNWRITTEN).count();
    }

    @Test
    void expertGemvAndFusedGateUpSiluArePairIndexed() {
        int pairs = 6;
        int k = 3;
        int hidden = 5;
        int inter = 4;
        int experts = 4;
        int[] ids = {3, 0, 1, 1, 3, 2};
        float[] x = random(2 * hidden, 21);
        float[] gate = random(experts * inter * hidden, 22);
        float[] up = random(experts * inter * hidden, 23);
        DeviceBuffer xb = f32("x", x);
        DeviceBuffer idb = i32("ids", ids);
        DeviceBuffer g = backend.allocate("g", DType.F32, pairs * inter);
        DeviceBuffer u = backend.allocate("u", DType.F32, pairs * inter);
        DeviceBuffer fused = backend.allocate("fused", DType.F32, pairs * inter);
        backend.expertGemv(xb, k, f32("gate", gate), idb, g, pairs, experts, hidden, inter);
        backend.expertGemv(xb, k, f32("up", up), idb, u, pairs, experts, hidden, inter);
        backend.expertGateUpSilu(xb, k, f32("gate", gate), f32("up", up), idb, fused, pairs, experts, hidden, inter);
        float[] gv = backend.readFloats(g, 0, pairs * inter);
        float[] fv = backend.readFloats(fused, 0, pairs * inter);
        for (int p = 0; p < pairs; p++) {
            for (int o = 0; o < inter; o++) {
                double gd = expertDot(gate, ids[p], o, inter, hidden, x, p / k);
                double ud = expertDot(up, ids[p], o, inter, hidden, x, p / k);
                assertEquals(gd, gv[p * inter + o], 1e-5);
                assertEquals(gd / (1 + Math.exp(-gd)) * ud, fv[p * inter + o], 1e-5);
            }
        }
        // divisor 1: each pair has its own input row
        float[] rows = random(pairs * inter, 24);
        float[] down = random(experts * hidden * inter, 25);
        DeviceBuffer d = backend.allocate("d", DType.F32, pairs * hidden);
        backend.expertGemv(f32("rows", rows), 1, f32("down", down), idb, d, pairs, experts, inter, hidden);
        float[] dv = backend.readFloats(d, 0, pairs * hidden);
        for (int p = 0; p < pairs; p++) {
            for (int o = 0; o < hidden; o++) {
                assertEquals(expertDot(down, ids[p], o, hidden, inter, rows, p), dv[p * hidden + o], 1e-5);
            }
        }
        String m = assertThrows(IllegalArgumentException.class, () -> backend.expertGemv(xb, k, f32("up", up),
                i32("bad", new int[] {0, 4, 0, 0, 0, 0}), g, pairs, experts, hidden, inter)).getMessage();
        assertTrue(m.startsWith("ids[1] = 4"), m);
    }

    @Test
    void weightedSumsAndTheFusedNextNorm() {
        int tokens = 2;
        int k = 2;
        int hidden = 3;
        float[] down = random(tokens * k * hidden, 31);
        float[] weights = {0.7f, 0.3f, 0.4f, 0.6f};
        float[] residual = random(tokens * hidden, 32);
        float[] norm = random(hidden, 33);
        double[] sum = new double[tokens * hidden];
        for (int t = 0; t < tokens; t++) {
            for (int i = 0; i < hidden; i++) {
                for (int s = 0; s < k; s++) {
                    sum[t * hidden + i] += weights[t * k + s] * down[(t * k + s) * hidden + i];
                }
            }
        }
        DeviceBuffer out = backend.allocate("out", DType.F32, tokens * hidden);
        backend.weightedSum(f32("down", down), f32("w", weights), out, tokens, k, hidden);
        assertArrayEquals(toFloat(sum), backend.readFloats(out, 0, tokens * hidden), 1e-6f);

        DeviceBuffer res = f32("res", residual);
        DeviceBuffer normOut = backend.allocate("normOut", DType.F32, tokens * hidden);
        backend.weightedSumResidual(f32("down", down), f32("w", weights), res, f32("norm", norm), normOut, tokens, k,
                hidden, 1e-6f);
        float[] r = backend.readFloats(res, 0, tokens * hidden);
        float[] n = backend.readFloats(normOut, 0, tokens * hidden);
        for (int t = 0; t < tokens; t++) {
            double ms = 0;
            for (int i = 0; i < hidden; i++) {
                double v = residual[t * hidden + i] + sum[t * hidden + i];
                assertEquals(v, r[t * hidden + i], 1e-6);
                ms += v * v / hidden;
            }
            for (int i = 0; i < hidden; i++) {
                assertEquals(r[t * hidden + i] / Math.sqrt(ms + 1e-6) * norm[i], n[t * hidden + i], 1e-5);
            }
        }
        DeviceBuffer res2 = f32("res2", residual);
        backend.weightedSumResidual(f32("down", down), f32("w", weights), res2, null, null, tokens, k, hidden, 1e-6f);
        assertArrayEquals(r, backend.readFloats(res2, 0, tokens * hidden));
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    @Test
    void badMoeArgumentsNameTheParameter() {
        DeviceBuffer x = f32("x", new float[8]);
        DeviceBuffer ids = ints("ids", 4);
        String m = assertThrows(IllegalArgumentException.class, () -> backend.buildDispatch(ids, ints("c", 4),
                ints("o", 5), ints("s", 4), ints("w", 3), 2, 4, 2, 16)).getMessage();
        assertTrue(m.startsWith("workList: buffer 'w' has 3 elements, needs 11"), m);
        m = assertThrows(IllegalArgumentException.class, () -> backend.groupedGemm(x, 2, x, ints("out", 4),
                ids, ids, ids, null, 2, 2, 4, 2, 2, 4)).getMessage();
        assertTrue(m.startsWith("w: buffer 'x' has 8 elements, needs 16"), m);
        m = assertThrows(IllegalArgumentException.class, () -> backend.groupedGemm(x, 3, x, x,
                ids, ids, ids, null, 2, 2, 4, 1, 1, 4)).getMessage();
        assertTrue(m.startsWith("xRowDivisor"), m);
        m = assertThrows(IllegalArgumentException.class, () -> backend.weightedSum(x, x, x, 1, 2, 4)).getMessage();
        assertTrue(m.startsWith("out must not be the same buffer as down"), m);
    }
}
