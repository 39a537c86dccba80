package org.moescope.engine.backend.opencl;

import static org.moescope.engine.backend.opencl.KernelLauncher.positive;

import java.util.EnumMap;
import java.util.Map;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.moe.DispatchPlan;

/**
 * The MoE operations of {@link OpenClBackend} (moe_forward.rs): router top-k, device dispatch, grouped GEMM, expert
 * GEMVs and weighted sums, each the contract of the same-named {@link org.moescope.engine.backend.Backend} method.
 * Kernels live in {@code kernels/route.cl, dispatch.cl, grouped_gemm.cl, expert_gemv.cl, moe_sum.cl}; their tile
 * shapes come from {@link MoeKernelTuning}. Every launch goes through {@link KernelLauncher}, so it takes part in the
 * open timing window. Nothing here waits for the device.
 */
public final class OpenClMoeKernels {
    /** Rows per work-group of the barrier-free (CPU) GEMVs; 0 leaves the choice to the OpenCL runtime. */
    static final int CPU_GEMV_GROUP = Integer.getInteger("moescope.cl.MOE_GEMV_CPU_GROUP", 64);

    private final KernelLauncher launcher;
    private final MoeKernelTuning tuning;
    // build options, formatted once per weight type rather than on every launch
    private final Map<DType, String> gemmOptions = new EnumMap<>(DType.class);
    private final Map<DType, String> gemvOptions = new EnumMap<>(DType.class);
    private final String dispatchOptions;

    public OpenClMoeKernels(KernelLauncher launcher) {
        this(launcher, MoeKernelTuning.forDevice(launcher.runtime().isGpu(), launcher.runtime().maxWorkGroupSize(),
                launcher.runtime().info().localMemBytes()));
    }

    public OpenClMoeKernels(KernelLauncher launcher, MoeKernelTuning tuning) {
        this.launcher = launcher;
        this.tuning = tuning;
        for (DType dtype : DType.values()) {
            if (!dtype.isWeightType()) {
                continue;
            }
            gemmOptions.put(dtype, tuning.gemmDefines() + " " + KernelLauncher.weightDefine(dtype));
            gemvOptions.put(dtype, tuning.gemvDefines() + " " + KernelLauncher.weightDefine(dtype));
        }
        this.dispatchOptions = tuning.dispatchDefines();
    }

    public MoeKernelTuning tuning() {
        return tuning;
    }

    // ---------------------------------------------------------------- routing and dispatch

    public void routeTopk(DeviceBuffer logits, DeviceBuffer ids, DeviceBuffer weights, int tokens, int experts, int k,
                          boolean normTopk) {
        positive(tokens, "tokens");
        topK(k, experts);
        ClBuffer l = launcher.buffer(logits, "logits", DType.F32, (long) tokens * experts);
        ClBuffer i = launcher.buffer(ids, "ids", DType.I32, (long) tokens * k);
        ClBuffer w = launcher.buffer(weights, "weights", DType.F32, (long) tokens * k);
        distinct("weights", weights, "logits", logits);
        int local = launcher.tuning().reduceSize();
        long probBytes = 8L * experts;   // probabilities, then the chosen ones by slot
        requireLocal("experts", experts, probBytes + 4L * local);
        launcher.launch("route", "route_topk", "")
                .arg(l).arg(i).arg(w).arg(experts).arg(k).arg(normTopk ? 1 : 0).argLocal(probBytes)
                .run1d((long) tokens * local, local);
    }

    public void buildDispatch(DeviceBuffer selectedIds, DeviceBuffer counts, DeviceBuffer offsets,
                              DeviceBuffer sortedPairs, DeviceBuffer workList, int tokens, int experts, int k,
                              int tileRows) {
        positive(tokens, "tokens");
        topK(k, experts);
        positive(tileRows, "tileRows");
        int pairs = pairs(tokens, k);
        int maxTiles = DispatchPlan.maxTiles(pairs, experts, tileRows);
        ClBuffer ids = launcher.buffer(selectedIds, "selectedIds", DType.I32, pairs);
        ClBuffer c = launcher.buffer(counts, "counts", DType.I32, experts);
        ClBuffer o = launcher.buffer(offsets, "offsets", DType.I32, experts + 1L);
        ClBuffer s = launcher.buffer(sortedPairs, "sortedPairs", DType.I32, pairs);
        ClBuffer wl = launcher.buffer(workList, "workList", DType.I32, 2L * maxTiles + 1);
        distinctAll(new String[] {"selectedIds", "counts", "offsets", "sortedPairs", "workList"},
                selectedIds, counts, offsets, sortedPairs, workList);
        long scratchBytes = 3L * 4 * experts;
        requireLocal("experts", experts, scratchBytes + 4L * tuning.dispatchLocal());
        launcher.launch("dispatch", "build_dispatch", dispatchOptions)
                .arg(ids).arg(c).arg(o).arg(s).arg(wl).arg(pairs).arg(experts).arg(tileRows)
                .argLocal(4L * experts).argLocal(4L * experts).argLocal(4L * experts)
                .run1d(tuning.dispatchLocal(), tuning.dispatchLocal());
    }

    // ---------------------------------------------------------------- expert matrix products

    /**
     * The work list must have been built with {@link #groupedGemmTileRows()} rows per tile. Returns the row tiles the
     * grid launched: maxTiles for indirect dispatch, experts x ceil(maxPerExpert / tileRows) for direct.
     */
    public long groupedGemm(DeviceBuffer x, int xRowDivisor, DeviceBuffer w, DeviceBuffer out, DeviceBuffer counts,
                            DeviceBuffer offsets, DeviceBuffer sortedPairs, DeviceBuffer workList,
                            int tokens, int k, int experts, int inDim, int outDim, int maxPerExpert) {
        positive(tokens, "tokens");
        topK(k, experts);
        positive(inDim, "inDim");
        positive(outDim, "outDim");
        int pairs = pairs(tokens, k);
        rowDivisor(xRowDivisor, pairs);
        ClBuffer wb = launcher.weight(w, "w", (long) experts * outDim * inDim, inDim);
        ClBuffer xb = input(x, (long) pairs / xRowDivisor * inDim, wb);
        ClBuffer ob = launcher.buffer(out, "out", DType.F32, (long) pairs * outDim);
        ClBuffer c = launcher.buffer(counts, "counts", DType.I32, experts);
        ClBuffer o = launcher.buffer(offsets, "offsets", DType.I32, experts + 1L);
        ClBuffer s = launcher.buffer(sortedPairs, "sortedPairs", DType.I32, pairs);
        distinct("out", out, "x", x);
        int tileRows = tuning.tileRows();
        long colGroups = ceilDiv(outDim, tuning.tileCols());
        String options = gemmOptions.get(wb.dtype());
        long rowTiles;
        Launch launch;
        if (workList != null) {
            rowTiles = DispatchPlan.maxTiles(pairs, experts, tileRows);
            ClBuffer wl = launcher.buffer(workList, "workList", DType.I32, 2L * rowTiles + 1);
            launch = launcher.launch("grouped_gemm", gemmKernel(xb, "indirect"), options)
                    .arg(xb).arg(xRowDivisor).arg(wb).arg(ob).arg(c).arg(o).arg(s).arg(wl).arg(inDim).arg(outDim);
        } else {
            if (maxPerExpert <= 0 || maxPerExpert > pairs) {
                throw new IllegalArgumentException("maxPerExpert must be in [1, tokens * k = " + pairs
                        + "] for direct dispatch, got " + maxPerExpert);
            }
            int tilesPerExpert = ceilDiv(maxPerExpert, tileRows);
            rowTiles = DispatchPlan.directTiles(experts, maxPerExpert, tileRows);
            launch = launcher.launch("grouped_gemm", gemmKernel(xb, "direct"), options)
                    .arg(xb).arg(xRowDivisor).arg(wb).arg(ob).arg(c).arg(o).arg(s).arg(tilesPerExpert)
                    .arg(inDim).arg(outDim);
        }
        if (tuning.barrierFree()) {
            launch.run(new long[] {colGroups, rowTiles}, new long[] {1, 1});
        } else if (xb.dtype() == DType.Q8_0) {
            launch.run(new long[] {colGroups, rowTiles}, null);   // the barrier-free Q8 kernel: any work-group shape
        } else {
            launch.run(new long[] {colGroups * tuning.gemmThreadsCols(), rowTiles * tuning.gemmThreadsRows()},
                    new long[] {tuning.gemmThreadsCols(), tuning.gemmThreadsRows()});
        }
        return rowTiles;
    }

    private String gemmKernel(ClBuffer x, String dispatch) {
        if (x.dtype() == DType.Q8_0) {
            return "grouped_gemm_q8_" + dispatch;   // one barrier-free kernel for both styles
        }
        return (tuning.barrierFree() ? "grouped_gemm_rows_" : "grouped_gemm_") + dispatch;
    }

    /**
     * The x of an expert product: F32, or Q8_0 blocks (the Q8 activations of {@link #quantizeQ8}) when the weights
     * are quantized, with at least {@code length} elements.
     */
    private ClBuffer input(DeviceBuffer x, long length, ClBuffer weights) {
        ClBuffer xb = ClBuffer.of(x, "x", launcher.runtime());
        if (xb.dtype() != DType.Q8_0) {
            return launcher.buffer(x, "x", DType.F32, length);
        }
        if (!weights.dtype().isQuantized()) {
            throw new IllegalArgumentException("x ('" + xb.name() + "') is Q8_0 but the weights ('" + weights.name()
                    + "') are " + weights.dtype() + ": Q8 activations need quantized weights");
        }
        return launcher.buffer(x, "x", DType.Q8_0, length);
    }

    /**
     * Backend.quantizeQ8: each of {@code rows} F32 rows of {@code n} (a multiple of 32) values into Q8_0 blocks of
     * xq, as ggml's quantize_row_q8_0.
     */
    public void quantizeQ8(DeviceBuffer x, DeviceBuffer xq, int rows, int n) {
        positive(rows, "rows");
        positive(n, "n");
        if (n % 32 != 0) {
            throw new IllegalArgumentException("n must be a multiple of 32 (a Q8_0 block), got " + n);
        }
        long length = (long) rows * n;
        ClBuffer xb = launcher.buffer(x, "x", DType.F32, length);
        ClBuffer qb = launcher.buffer(xq, "xq", DType.Q8_0, length);
        long blocks = length / 32;
        if (blocks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("rows * n / 32 = " + blocks + " blocks exceeds " + Integer.MAX_VALUE);
        }
        launcher.launch("quantize_q8", "quantize_q8_0", "-cl-fp32-correctly-rounded-divide-sqrt")
                .arg(xb).arg(qb).arg((int) blocks).run1d(blocks, 64);
    }

    public int groupedGemmTileRows() {
        return tuning.tileRows();
    }

    public void expertGemv(DeviceBuffer x, int xRowDivisor, DeviceBuffer w, DeviceBuffer ids, DeviceBuffer out,
                           int pairs, int experts, int inDim, int outDim) {
        positive(pairs, "pairs");
        positive(experts, "experts");
        positive(inDim, "inDim");
        positive(outDim, "outDim");
        rowDivisor(xRowDivisor, pairs);
        ClBuffer wb = launcher.weight(w, "w", (long) experts * outDim * inDim, inDim);
        ClBuffer xb = input(x, (long) pairs / xRowDivisor * inDim, wb);
        ClBuffer ib = launcher.buffer(ids, "ids", DType.I32, pairs);
        ClBuffer ob = launcher.buffer(out, "out", DType.F32, (long) pairs * outDim);
        distinct("out", out, "x", x);
        String options = gemvOptions.get(wb.dtype());
        String kernel = (tuning.barrierFree() ? "expert_gemv_rows" : "expert_gemv") + q8Suffix(xb);
        gemvLaunch(launcher.launch("expert_gemv", kernel, options)
                .arg(xb).arg(xRowDivisor).arg(wb).arg(ib).arg(ob).arg(experts).arg(inDim).arg(outDim), pairs, outDim);
    }

    public void expertGateUpSilu(DeviceBuffer x, int xRowDivisor, DeviceBuffer wGate, DeviceBuffer wUp,
                                 DeviceBuffer ids, DeviceBuffer out, int pairs, int experts, int hidden, int inter) {
        positive(pairs, "pairs");
        positive(experts, "experts");
        positive(hidden, "hidden");
        positive(inter, "inter");
        rowDivisor(xRowDivisor, pairs);
        ClBuffer gb = launcher.weight(wGate, "wGate", (long) experts * inter * hidden, hidden);
        ClBuffer ub = launcher.weight(wUp, "wUp", (long) experts * inter * hidden, hidden);
        if (gb.dtype() != ub.dtype()) {
            throw new IllegalArgumentException("wUp ('" + ub.name() + "') is " + ub.dtype() + " but wGate ('"
                    + gb.name() + "') is " + gb.dtype() + "; the fused kernel needs one weight type");
        }
        ClBuffer xb = input(x, (long) pairs / xRowDivisor * hidden, gb);
        ClBuffer ib = launcher.buffer(ids, "ids", DType.I32, pairs);
        ClBuffer ob = launcher.buffer(out, "out", DType.F32, (long) pairs * inter);
        distinct("out", out, "x", x);
        String options = gemvOptions.get(gb.dtype());
        String kernel = (tuning.barrierFree() ? "expert_gate_up_silu_rows" : "expert_gate_up_silu") + q8Suffix(xb);
        gemvLaunch(launcher.launch("expert_gemv", kernel, options)
                .arg(xb).arg(xRowDivisor).arg(gb).arg(ub).arg(ib).arg(ob).arg(experts).arg(hidden).arg(inter),
                pairs, inter);
    }

    private static String q8Suffix(ClBuffer x) {
        return x.dtype() == DType.Q8_0 ? "_q8" : "";
    }

    private void gemvLaunch(Launch launch, int pairs, int rows) {
        if (tuning.barrierFree()) {
            // Work-groups of CPU_GEMV_GROUP rows: enough groups for every core at decode (8 pairs x 768 rows make 96),
            // small enough that the cores finish together when the weights are in the cache, few enough that the
            // per-group overhead of a CPU runtime stays small. Items past the rows do nothing.
            int items = ceilDiv(rows, tuning.gemvItemRows());
            int group = CPU_GEMV_GROUP <= 0 ? 0 : Math.min(Math.max(1, CPU_GEMV_GROUP / tuning.gemvItemRows()),
                    launcher.runtime().maxWorkGroupSize());
            if (group > 0 && items >= group) {
                launch.run(new long[] {(long) ceilDiv(items, group) * group, pairs}, new long[] {group, 1});
            } else {
                launch.run(new long[] {items, pairs}, null);
            }
        } else {
            long rowGroups = ceilDiv(rows, tuning.gemvRows());
            launch.run(new long[] {tuning.gemvLanes(), rowGroups * tuning.gemvRows(), pairs},
                    new long[] {tuning.gemvLanes(), tuning.gemvRows(), 1});
        }
    }

    // ---------------------------------------------------------------- weighted sums

    public void weightedSum(DeviceBuffer down, DeviceBuffer weights, DeviceBuffer out, int tokens, int k, int hidden) {
        positive(tokens, "tokens");
        positive(k, "k");
        positive(hidden, "hidden");
        ClBuffer d = launcher.buffer(down, "down", DType.F32, (long) pairs(tokens, k) * hidden);
        ClBuffer w = launcher.buffer(weights, "weights", DType.F32, (long) tokens * k);
        ClBuffer o = launcher.buffer(out, "out", DType.F32, (long) tokens * hidden);
        distinct("out", out, "down", down);
        distinct("out", out, "weights", weights);
        int local = elementwiseLocal();
        launcher.launch("moe_sum", "weighted_sum", "").arg(d).arg(w).arg(o).arg(k).arg(hidden)
                .run2d(hidden, tokens, local, 1);
    }

    public void weightedSumResidual(DeviceBuffer down, DeviceBuffer weights, DeviceBuffer residual,
                                    DeviceBuffer nextNorm, DeviceBuffer normOut, int tokens, int k, int hidden,
                                    float eps) {
        positive(tokens, "tokens");
        positive(k, "k");
        positive(hidden, "hidden");
        ClBuffer d = launcher.buffer(down, "down", DType.F32, (long) pairs(tokens, k) * hidden);
        ClBuffer w = launcher.buffer(weights, "weights", DType.F32, (long) tokens * k);
        ClBuffer r = launcher.buffer(residual, "residual", DType.F32, (long) tokens * hidden);
        distinct("residual", residual, "down", down);
        distinct("residual", residual, "weights", weights);
        if (nextNorm == null) {
            launcher.launch("moe_sum", "weighted_sum_residual", "").arg(d).arg(w).arg(r).arg(k).arg(hidden)
                    .run2d(hidden, tokens, elementwiseLocal(), 1);
            return;
        }
        if (!(eps >= 0) || Float.isInfinite(eps)) {
            throw new IllegalArgumentException("eps must be finite and >= 0, got " + eps);
        }
        ClBuffer n = launcher.weight(nextNorm, "nextNorm", hidden);
        ClBuffer no = launcher.buffer(normOut, "normOut", DType.F32, (long) tokens * hidden);
        distinct("normOut", normOut, "residual", residual);
        distinct("normOut", normOut, "down", down);
        distinct("normOut", normOut, "weights", weights);
        int local = launcher.tuning().reduceSize();
        launcher.launch("moe_sum", "weighted_sum_residual_norm", KernelLauncher.weightDefine(n.dtype()))
                .arg(d).arg(w).arg(r).arg(n).arg(no).arg(k).arg(hidden).arg(eps)
                .run1d((long) tokens * local, local);
    }

    // ---------------------------------------------------------------- checks

    private int elementwiseLocal() {
        return Math.min(64, launcher.runtime().maxWorkGroupSize());
    }

    private static void topK(int k, int experts) {
        positive(experts, "experts");
        if (k <= 0 || k > experts) {
            throw new IllegalArgumentException("k must be in [1, experts=" + experts + "], got " + k);
        }
    }

    private static int pairs(int tokens, int k) {
        long pairs = (long) tokens * k;
        if (pairs > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tokens * k = " + pairs + " exceeds " + Integer.MAX_VALUE);
        }
        return (int) pairs;
    }

    private static void rowDivisor(int xRowDivisor, int pairs) {
        if (xRowDivisor <= 0 || pairs % xRowDivisor != 0) {
            throw new IllegalArgumentException("xRowDivisor must be > 0 and divide the pair count " + pairs
                    + ", got " + xRowDivisor);
        }
    }

    /** Kernels that read one buffer while writing another in parallel must not get the same buffer twice. */
    private static void distinct(String outParam, DeviceBuffer out, String inParam, DeviceBuffer in) {
        if (out != null && out == in) {
            throw new IllegalArgumentException(outParam + " must not be the same buffer as " + inParam
                    + " ('" + out.name() + "')");
        }
    }

    private static void distinctAll(String[] params, DeviceBuffer... buffers) {
        for (int i = 0; i < buffers.length; i++) {
            for (int j = i + 1; j < buffers.length; j++) {
                distinct(params[j], buffers[j], params[i], buffers[i]);
            }
        }
    }

    private void requireLocal(String param, int value, long bytes) {
        long available = launcher.runtime().info().localMemBytes();
        if (available > 0 && bytes > available) {
            throw new IllegalArgumentException(param + " = " + value + " needs " + bytes
                    + " bytes of local memory, the device has " + available);
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
