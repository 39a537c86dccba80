package org.moescope.engine.backend.java;

import static org.moescope.engine.backend.java.BufferChecks.anyFloat;
import static org.moescope.engine.backend.java.BufferChecks.distinct;
import static org.moescope.engine.backend.java.BufferChecks.f32;
import static org.moescope.engine.backend.java.BufferChecks.i32;
import static org.moescope.engine.backend.java.BufferChecks.positive;
import static org.moescope.engine.backend.java.BufferChecks.topK;
import static org.moescope.engine.backend.java.BufferChecks.weight;

import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.quant.BlockQuantizer;
import org.moescope.engine.backend.quant.Q8Dot;
import org.moescope.engine.moe.DispatchPlan;
import org.moescope.engine.moe.Router;
import org.moescope.engine.moe.Routing;

/**
 * The MoE operations of {@link JavaBackend} as plain loops (see {@code Backend} for the contracts).
 *
 * <p>Work list layout: {@code workList[0]} = tile count n, then for tile i {@code workList[1 + 2i]} = expert and
 * {@code workList[2 + 2i]} = first row of the tile counted from the start of that expert's segment of sortedPairs
 * (0, tileRows, 2 * tileRows, ...). Tiles are listed expert by expert, rows ascending.
 */
final class JavaMoeOps {
    /** Row tile height of the grouped GEMM ({@code groupedGemmTileRows()}); its work lists must be built with it. */
    static final int TILE_ROWS = 16;

    private JavaMoeOps() {
    }

    static void routeTopk(DeviceBuffer logits, DeviceBuffer ids, DeviceBuffer weights, int tokens, int experts, int k,
                          boolean normTopk) {
        positive("tokens", tokens);
        topK(k, experts);
        JavaBuffer l = f32("logits", logits, (long) tokens * experts, "tokens * experts");
        JavaBuffer i = i32("ids", ids, (long) tokens * k, "tokens * k");
        JavaBuffer w = f32("weights", weights, (long) tokens * k, "tokens * k");
        float[] host = new float[tokens * experts];
        for (int j = 0; j < host.length; j++) {
            host[j] = l.get(j);
        }
        Routing r = Router.route(host, tokens, experts, k, normTopk);
        for (int p = 0; p < tokens * k; p++) {
            i.setInt(p, r.ids()[p]);
            w.set(p, r.weights()[p]);
        }
    }

    static void buildDispatch(DeviceBuffer selectedIds, DeviceBuffer counts, DeviceBuffer offsets,
                              DeviceBuffer sortedPairs, DeviceBuffer workList, int tokens, int experts, int k,
                              int tileRows) {
        positive("tokens", tokens);
        topK(k, experts);
        positive("tileRows", tileRows);
        int pairs = tokens * k;
        int maxTiles = DispatchPlan.maxTiles(pairs, experts, tileRows);
        JavaBuffer ids = i32("selectedIds", selectedIds, pairs, "tokens * k");
        JavaBuffer c = i32("counts", counts, experts, "experts");
        JavaBuffer o = i32("offsets", offsets, experts + 1L, "experts + 1");
        JavaBuffer sp = i32("sortedPairs", sortedPairs, pairs, "tokens * k");
        JavaBuffer wl = i32("workList", workList, 2L * maxTiles + 1, "2 * maxTiles + 1");
        int[] host = new int[pairs];
        for (int p = 0; p < pairs; p++) {
            host[p] = ids.getInt(p);
            if (host[p] < 0 || host[p] >= experts) {
                throw new IllegalArgumentException("selectedIds[" + p + "] = " + host[p]
                        + " is not an expert in [0, " + experts + ")");
            }
        }
        DispatchPlan plan = DispatchPlan.fromIds(host, tokens, experts, k);
        int tiles = 0;
        for (int e = 0; e < experts; e++) {
            c.setInt(e, plan.counts()[e]);
            o.setInt(e, plan.offsets()[e]);
            for (int row = 0; row < plan.counts()[e]; row += tileRows) {
                wl.setInt(1 + 2L * tiles, e);
                wl.setInt(2 + 2L * tiles, row);
                tiles++;
            }
        }
        o.setInt(experts, plan.offsets()[experts]);
        for (int p = 0; p < pairs; p++) {
            sp.setInt(p, plan.sortedPairs()[p]);
        }
        wl.setInt(0, tiles);
    }

    static long groupedGemm(DeviceBuffer x, int xRowDivisor, DeviceBuffer w, DeviceBuffer out, DeviceBuffer counts,
                            DeviceBuffer offsets, DeviceBuffer sortedPairs, DeviceBuffer workList,
                            int tokens, int k, int experts, int inDim, int outDim, int maxPerExpert) {
        positive("tokens", tokens);
        topK(k, experts);
        positive("inDim", inDim);
        positive("outDim", outDim);
        int pairs = tokens * k;
        checkDivisor(xRowDivisor, pairs);
        JavaBuffer wb = weight("w", w, (long) experts * outDim * inDim, "experts * outDim * inDim", inDim, "inDim");
        JavaBuffer xb = activations("x", x, wb, (long) pairs / xRowDivisor * inDim, "pairs / xRowDivisor * inDim");
        JavaBuffer ob = f32("out", out, (long) pairs * outDim, "pairs * outDim");
        distinct("out", out, "x", x);
        JavaBuffer c = i32("counts", counts, experts, "experts");
        JavaBuffer o = i32("offsets", offsets, experts + 1L, "experts + 1");
        JavaBuffer sp = i32("sortedPairs", sortedPairs, pairs, "tokens * k");
        Tile tile = (e, firstRow) -> gemmTile(xb, xRowDivisor, wb, ob, c, o, sp, e, firstRow, pairs, experts,
                inDim, outDim);
        if (workList != null) {
            // indirect: the grid is sized without the host knowing the routing, so maxPerExpert is not used
            int maxTiles = DispatchPlan.maxTiles(pairs, experts, TILE_ROWS);
            JavaBuffer wl = i32("workList", workList, 2L * maxTiles + 1, "2 * maxTiles + 1");
            int n = wl.getInt(0);
            // One work-group per possible tile; groups past the count exit.
            for (int group = 0; group < maxTiles; group++) {
                if (group >= n) {
                    continue;
                }
                tile.run(wl.getInt(1 + 2L * group), wl.getInt(2 + 2L * group));
            }
            return maxTiles;
        }
        if (maxPerExpert <= 0 || maxPerExpert > pairs) {
            throw new IllegalArgumentException("maxPerExpert must be in [1, tokens * k = " + pairs
                    + "] for direct dispatch, got " + maxPerExpert);
        }
        int tilesPerExpert = (maxPerExpert + TILE_ROWS - 1) / TILE_ROWS;
        for (int e = 0; e < experts; e++) {
            for (int t = 0; t < tilesPerExpert; t++) {
                tile.run(e, t * TILE_ROWS);
            }
        }
        return DispatchPlan.directTiles(experts, maxPerExpert, TILE_ROWS);
    }

    @FunctionalInterface
    private interface Tile {
        void run(int expert, int firstRow);
    }

    /** One work-group: rows firstRow .. firstRow + TILE_ROWS of expert e's segment; rows past its count exit. */
    private static void gemmTile(JavaBuffer x, int xRowDivisor, JavaBuffer w, JavaBuffer out, JavaBuffer counts,
                                 JavaBuffer offsets, JavaBuffer sortedPairs, int e, int firstRow, int pairs,
                                 int experts, int inDim, int outDim) {
        if (e < 0 || e >= experts || firstRow < 0) {
            throw new IllegalArgumentException("workList: tile (expert " + e + ", firstRow " + firstRow
                    + ") is outside [0, " + experts + ") x [0, pairs)");
        }
        int count = counts.getInt(e);
        int start = offsets.getInt(e);
        for (int row = firstRow; row < firstRow + TILE_ROWS && row < count; row++) {
            int p = sortedPairs.getInt(start + row);
            if (p < 0 || p >= pairs) {
                throw new IllegalArgumentException("sortedPairs[" + (start + row) + "] = " + p
                        + " is not a pair in [0, " + pairs + ")");
            }
            matVec(w, (long) e * outDim * inDim, x, (long) (p / xRowDivisor) * inDim, out, (long) p * outDim,
                    inDim, outDim);
        }
    }

    static void expertGemv(DeviceBuffer x, int xRowDivisor, DeviceBuffer w, DeviceBuffer ids, DeviceBuffer out,
                           int pairs, int experts, int inDim, int outDim) {
        positive("pairs", pairs);
        positive("experts", experts);
        positive("inDim", inDim);
        positive("outDim", outDim);
        checkDivisor(xRowDivisor, pairs);
        JavaBuffer wb = weight("w", w, (long) experts * outDim * inDim, "experts * outDim * inDim", inDim, "inDim");
        JavaBuffer xb = activations("x", x, wb, (long) pairs / xRowDivisor * inDim, "pairs / xRowDivisor * inDim");
        JavaBuffer ib = i32("ids", ids, pairs, "pairs");
        JavaBuffer ob = f32("out", out, (long) pairs * outDim, "pairs * outDim");
        distinct("out", out, "x", x);
        for (int p = 0; p < pairs; p++) {
            int e = expertOf(ib, p, experts);
            matVec(wb, (long) e * outDim * inDim, xb, (long) (p / xRowDivisor) * inDim, ob, (long) p * outDim,
                    inDim, outDim);
        }
    }

    static void expertGateUpSilu(DeviceBuffer x, int xRowDivisor, DeviceBuffer wGate, DeviceBuffer wUp,
                                 DeviceBuffer ids, DeviceBuffer out, int pairs, int experts, int hidden, int inter) {
        positive("pairs", pairs);
        positive("experts", experts);
        positive("hidden", hidden);
        positive("inter", inter);
        checkDivisor(xRowDivisor, pairs);
        JavaBuffer gb = weight("wGate", wGate, (long) experts * inter * hidden, "experts * inter * hidden", hidden,
                "hidden");
        JavaBuffer ub = weight("wUp", wUp, (long) experts * inter * hidden, "experts * inter * hidden", hidden,
                "hidden");
        JavaBuffer xb = activations("x", x, gb, (long) pairs / xRowDivisor * hidden, "pairs / xRowDivisor * hidden");
        if (xb.dtype() == DType.Q8_0 && !ub.dtype().isQuantized()) {
            throw new IllegalArgumentException("x: buffer '" + xb.name() + "' holds Q8_0 activations, which need"
                    + " quantized weights; wUp '" + ub.name() + "' is " + ub.dtype());
        }
        JavaBuffer ib = i32("ids", ids, pairs, "pairs");
        JavaBuffer ob = f32("out", out, (long) pairs * inter, "pairs * inter");
        distinct("out", out, "x", x);
        for (int p = 0; p < pairs; p++) {
            int e = expertOf(ib, p, experts);
            long xRow = (long) (p / xRowDivisor) * hidden;
            for (int o = 0; o < inter; o++) {
                long wRow = ((long) e * inter + o) * hidden;
                float g = weightDot(gb, wRow, xb, xRow, hidden);
                float u = weightDot(ub, wRow, xb, xRow, hidden);
                ob.set((long) p * inter + o, JavaBackend.silu(g) * u);
            }
        }
    }

    static void weightedSum(DeviceBuffer down, DeviceBuffer weights, DeviceBuffer out, int tokens, int k, int hidden) {
        positive("tokens", tokens);
        positive("k", k);
        positive("hidden", hidden);
        JavaBuffer d = f32("down", down, (long) tokens * k * hidden, "tokens * k * hidden");
        JavaBuffer w = f32("weights", weights, (long) tokens * k, "tokens * k");
        JavaBuffer o = f32("out", out, (long) tokens * hidden, "tokens * hidden");
        distinct("out", out, "down", down);
        for (int t = 0; t < tokens; t++) {
            for (int i = 0; i < hidden; i++) {
                o.set((long) t * hidden + i, (float) weightedRow(d, w, t, k, hidden, i));
            }
        }
    }

    static void weightedSumResidual(DeviceBuffer down, DeviceBuffer weights, DeviceBuffer residual,
                                    DeviceBuffer nextNorm, DeviceBuffer normOut, int tokens, int k, int hidden,
                                    float eps) {
        positive("tokens", tokens);
        positive("k", k);
        positive("hidden", hidden);
        JavaBuffer d = f32("down", down, (long) tokens * k * hidden, "tokens * k * hidden");
        JavaBuffer w = f32("weights", weights, (long) tokens * k, "tokens * k");
        JavaBuffer r = f32("residual", residual, (long) tokens * hidden, "tokens * hidden");
        distinct("residual", residual, "down", down);
        JavaBuffer n = null;
        JavaBuffer no = null;
        if (nextNorm != null) {
            n = anyFloat("nextNorm", nextNorm, hidden, "hidden");
            no = f32("normOut", normOut, (long) tokens * hidden, "tokens * hidden");
            distinct("normOut", normOut, "residual", residual);
            distinct("normOut", normOut, "down", down);
        }
        for (int t = 0; t < tokens; t++) {
            long row = (long) t * hidden;
            for (int i = 0; i < hidden; i++) {
                r.set(row + i, r.get(row + i) + (float) weightedRow(d, w, t, k, hidden, i));
            }
            if (n != null) {
                JavaBackend.rmsNormRow(r, row, n, no, row, hidden, eps);
            }
        }
    }

    private static double weightedRow(JavaBuffer down, JavaBuffer weights, int t, int k, int hidden, int i) {
        double acc = 0;
        for (int s = 0; s < k; s++) {
            int p = t * k + s;
            acc += (double) weights.get(p) * down.get((long) p * hidden + i);
        }
        return acc;
    }

    private static int expertOf(JavaBuffer ids, int p, int experts) {
        int e = ids.getInt(p);
        if (e < 0 || e >= experts) {
            throw new IllegalArgumentException("ids[" + p + "] = " + e + " is not an expert in [0, " + experts + ")");
        }
        return e;
    }

    private static void checkDivisor(int xRowDivisor, int pairs) {
        if (xRowDivisor <= 0 || pairs % xRowDivisor != 0) {
            throw new IllegalArgumentException("xRowDivisor must be > 0 and divide the pair count " + pairs
                    + ", got " + xRowDivisor);
        }
    }

    /** out[outAt + o] = w[wAt + o * in, ...] · x[xAt, ...] for o < outDim. */
    private static void matVec(JavaBuffer w, long wAt, JavaBuffer x, long xAt, JavaBuffer out, long outAt,
                               int inDim, int outDim) {
        for (int o = 0; o < outDim; o++) {
            out.set(outAt + o, weightDot(w, wAt + (long) o * inDim, x, xAt, inDim));
        }
    }

    /**
     * A weight row times an activation row: float activations take the float dot product of the decoded weights;
     * Q8_0 activations (quantized weights only) the integer dot products per block of {@link Q8Dot}.
     */
    private static float weightDot(JavaBuffer w, long wAt, JavaBuffer x, long xAt, int n) {
        if (x.dtype() == DType.Q8_0) {
            return (float) Q8Dot.dot(w.dtype(), w.raw(), w.byteOffset(wAt), x.raw(), x.byteOffset(xAt), n);
        }
        return dot(w, wAt, x, xAt, n);
    }

    /**
     * The activations of an expert op: F32, or Q8_0 blocks (from {@code quantizeQ8}) when the weights {@code w} are
     * quantized, the "Q8 activations" path.
     */
    private static JavaBuffer activations(String param, DeviceBuffer x, JavaBuffer w, long needed, String shape) {
        if (x != null && x.dtype() == DType.Q8_0) {
            if (!w.dtype().isQuantized()) {
                throw new IllegalArgumentException(param + ": buffer '" + x.name() + "' holds Q8_0 activations, which"
                        + " need quantized weights; '" + w.name() + "' is " + w.dtype());
            }
            return BufferChecks.typed(param, x, DType.Q8_0, 0, needed, shape);
        }
        return f32(param, x, needed, shape);
    }

    /** Each of {@code rows} F32 rows of {@code n} (a multiple of 32) into Q8_0 blocks, as ggml's quantize_row_q8_0_ref. */
    static void quantizeQ8(DeviceBuffer x, DeviceBuffer xq, int rows, int n) {
        positive("rows", rows);
        positive("n", n);
        if (n % 32 != 0) {
            throw new IllegalArgumentException("n must be a multiple of 32 (one Q8_0 block), got " + n);
        }
        JavaBuffer xb = f32("x", x, (long) rows * n, "rows * n");
        JavaBuffer qb = BufferChecks.writable("xq", BufferChecks.typed("xq", xq, DType.Q8_0, 0, (long) rows * n,
                "rows * n"));
        float[] row = new float[n];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < n; i++) {
                row[i] = xb.get((long) r * n + i);
            }
            BlockQuantizer.quantize(DType.Q8_0, row, 0, n, qb.raw(), qb.byteOffset((long) r * n));
        }
        qb.invalidate();
    }

    static float dot(JavaBuffer a, long aAt, JavaBuffer b, long bAt, int n) {
        double acc = 0;
        for (int i = 0; i < n; i++) {
            acc += (double) a.get(aAt + i) * b.get(bAt + i);
        }
        return (float) acc;
    }
}
