package org.moescope.engine.backend.opencl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.DeviceInterval;
import org.moescope.engine.moe.DispatchPlan;

/**
 * Tuning bench of the MoE kernels at Qwen3-30B-A3B shapes (hidden 2048, inter 768, 128 experts, top-8) on every
 * OpenCL device, or on those whose name or kind ("GPU", "CPU") contains the first argument. Kernel times are device event times (median of
 * single-launch timing windows); each result is checked against host dot products on sampled output rows.
 * Not a test: run with the test classpath, e.g. {@code java -cp ... org.moescope.engine.backend.opencl.MoeKernelBench}.
 */
public final class MoeKernelBench {
    private static final int HIDDEN = 2048;
    private static final int INTER = 768;
    private static final int EXPERTS = 128;
    private static final int TOP_K = 8;
    /** Only the device's default tuning (-Dmoescope.bench.defaultOnly=true), for before/after comparisons. */
    private static final boolean DEFAULT_ONLY = Boolean.getBoolean("moescope.bench.defaultOnly");

    private final OpenClBackend cl;
    private final boolean gpu;
    private final List<DeviceBuffer> buffers = new ArrayList<>();

    private MoeKernelBench(OpenClBackend cl) {
        this.cl = cl;
        this.gpu = cl.launcher().runtime().isGpu();
    }

    /** Arguments: [device filter] [sections: any of gemv, gemm, route; default all]. */
    public static void main(String[] args) {
        String filter = args.length > 0 ? args[0].toLowerCase(Locale.ROOT) : "";
        String sections = args.length > 1 ? args[1] : "gemv,gemm,route";
        for (ClDevice device : ClDevices.list()) {
            String key = (device.info().name() + " " + device.info().kind()).toLowerCase(Locale.ROOT);
            if (!key.contains(filter)) {
                continue;
            }
            System.out.println("== " + device.info().summary() + " maxWG=" + device.maxWorkGroupSize()
                    + " local=" + device.info().localMemBytes());
            try (OpenClBackend cl = new OpenClBackend(device)) {
                new MoeKernelBench(cl).run(sections);
            }
        }
    }

    private void run(String sections) {
        System.out.println("default tuning " + new OpenClMoeKernels(cl.launcher()).tuning());
        if (sections.contains("gemv")) {
            for (DType dtype : dtypes()) {
                benchGemv(dtype);
            }
        }
        if (sections.contains("gemm")) {
            for (DType dtype : dtypes()) {
                benchGroupedGemm(dtype);
            }
        }
        if (sections.contains("route")) {
            benchRouteAndDispatch();
        }
    }

    // ---------------------------------------------------------------- decode GEMVs

    private void benchGemv(DType dtype) {
        DeviceBuffer gate = weights("gate", dtype, (long) EXPERTS * INTER * HIDDEN, 1);
        DeviceBuffer up = weights("up", dtype, (long) EXPERTS * INTER * HIDDEN, 2);
        List<MoeKernelTuning> tunings = DEFAULT_ONLY ? List.of(new OpenClMoeKernels(cl.launcher()).tuning()) : gpu
                ? List.of(gemv(32, 8, 1), gemv(32, 4, 1), gemv(16, 16, 1), gemv(16, 8, 1), gemv(64, 4, 1), gemv(8, 32, 1))
                : List.of(gemv(0, 1, 1), gemv(0, 1, 4));
        for (int batch : gpu ? new int[] {1, 16} : new int[] {1, 4}) {
            int pairs = batch * TOP_K;
            int[] ids = routedIds(batch, 40 + batch);
            DeviceBuffer x = activations("x", (long) batch * HIDDEN, 3);
            DeviceBuffer idBuf = ints("ids", ids);
            DeviceBuffer out = alloc("out", DType.F32, (long) pairs * INTER);
            DeviceBuffer act = activations("act", (long) pairs * INTER, 6);       // down input [pairs, inter]
            DeviceBuffer down = alloc("down", DType.F32, (long) pairs * HIDDEN);  // gate weights read as [E, h, inter]
            long weightBytes = dtype.bytesOf((long) distinct(ids) * INTER * HIDDEN);
            for (MoeKernelTuning t : tunings) {
                OpenClMoeKernels moe = new OpenClMoeKernels(cl.launcher(), t);
                double us = time(() -> moe.expertGemv(x, TOP_K, gate, idBuf, out, pairs, EXPERTS, HIDDEN, INTER));
                double err = gemvError(x, gate, ids, out, pairs, HIDDEN, INTER, TOP_K);
                report("gemv", dtype, "B=" + batch, t.gemvDefines(), us, 2.0 * pairs * INTER * HIDDEN, weightBytes, err);
                double fusedUs = time(() -> moe.expertGateUpSilu(x, TOP_K, gate, up, idBuf, out, pairs, EXPERTS,
                        HIDDEN, INTER));
                report("gate_up_silu", dtype, "B=" + batch, t.gemvDefines(), fusedUs, 4.0 * pairs * INTER * HIDDEN,
                        2 * weightBytes, Double.NaN);
                double downUs = time(() -> moe.expertGemv(act, 1, gate, idBuf, down, pairs, EXPERTS, INTER, HIDDEN));
                double downErr = gemvError(act, gate, ids, down, pairs, INTER, HIDDEN, 1);
                report("gemv_down", dtype, "B=" + batch, t.gemvDefines(), downUs, 2.0 * pairs * INTER * HIDDEN,
                        weightBytes, downErr);
                if (dtype.isQuantized()) {   // the same with Q8 activations
                    DeviceBuffer xq = alloc("xq", DType.Q8_0, (long) batch * HIDDEN);
                    DeviceBuffer actQ = alloc("actQ", DType.Q8_0, (long) pairs * INTER);
                    moe.quantizeQ8(x, xq, batch, HIDDEN);
                    moe.quantizeQ8(act, actQ, pairs, INTER);
                    report("gemv_q8", dtype, "B=" + batch, t.gemvDefines(), time(() -> moe.expertGemv(xq, TOP_K, gate,
                            idBuf, out, pairs, EXPERTS, HIDDEN, INTER)), 2.0 * pairs * INTER * HIDDEN, weightBytes, Double.NaN);
                    report("gate_up_silu_q8", dtype, "B=" + batch, t.gemvDefines(), time(() -> moe.expertGateUpSilu(xq,
                            TOP_K, gate, up, idBuf, out, pairs, EXPERTS, HIDDEN, INTER)), 4.0 * pairs * INTER * HIDDEN,
                            2 * weightBytes, Double.NaN);
                    report("gemv_down_q8", dtype, "B=" + batch, t.gemvDefines(), time(() -> moe.expertGemv(actQ, 1, gate,
                            idBuf, down, pairs, EXPERTS, INTER, HIDDEN)), 2.0 * pairs * INTER * HIDDEN, weightBytes,
                            Double.NaN);
                    release(xq, actQ);
                }
                report("gemv (again)", dtype, "B=" + batch, t.gemvDefines(), time(() -> moe.expertGemv(x, TOP_K, gate,
                        idBuf, out, pairs, EXPERTS, HIDDEN, INTER)), 2.0 * pairs * INTER * HIDDEN, weightBytes, Double.NaN);
            }
            release(x, idBuf, out, act, down);
        }
        release(gate, up);
    }

    private static MoeKernelTuning gemv(int lanes, int rows, int itemRows) {
        return new MoeKernelTuning(8, 8, 4, 1, 1, Math.max(lanes, 1), rows, itemRows, 16, lanes == 0);
    }

    // ---------------------------------------------------------------- prefill grouped GEMM

    private void benchGroupedGemm(DType dtype) {
        int tokens = gpu ? 512 : 64;
        int pairs = tokens * TOP_K;
        int[] ids = routedIds(tokens, 7);
        DispatchPlan plan = DispatchPlan.fromIds(ids, tokens, EXPERTS, TOP_K);
        DeviceBuffer w = weights("gate", dtype, (long) EXPERTS * INTER * HIDDEN, 4);
        DeviceBuffer x = activations("x", (long) tokens * HIDDEN, 5);
        DeviceBuffer selected = ints("selectedIds", ids);
        DeviceBuffer counts = alloc("counts", DType.I32, EXPERTS);
        DeviceBuffer offsets = alloc("offsets", DType.I32, EXPERTS + 1);
        DeviceBuffer sorted = alloc("sortedPairs", DType.I32, pairs);
        DeviceBuffer out = alloc("out", DType.F32, (long) pairs * INTER);
        List<MoeKernelTuning> tunings = DEFAULT_ONLY ? List.of(new OpenClMoeKernels(cl.launcher()).tuning()) : gpu
                ? List.of(gemm(64, 128, 32, 4, 8), gemm(64, 128, 16, 4, 8), gemm(32, 128, 32, 2, 8),
                        gemm(64, 64, 32, 4, 4), gemm(128, 64, 32, 8, 4), gemm(64, 128, 64, 4, 8))
                : List.of(cpuGemm(32, 16), cpuGemm(16, 16), cpuGemm(32, 8), cpuGemm(64, 32), cpuGemm(8, 32));
        for (MoeKernelTuning t : tunings) {
            OpenClMoeKernels moe = new OpenClMoeKernels(cl.launcher(), t);
            int maxTiles = DispatchPlan.maxTiles(pairs, EXPERTS, t.tileRows());
            DeviceBuffer workList = alloc("workList", DType.I32, 2L * maxTiles + 1);
            moe.buildDispatch(selected, counts, offsets, sorted, workList, tokens, EXPERTS, TOP_K, t.tileRows());
            double us = time(() -> moe.groupedGemm(x, TOP_K, w, out, counts, offsets, sorted, workList, tokens,
                    TOP_K, EXPERTS, HIDDEN, INTER, pairs));
            double err = gemvError(x, w, ids, out, pairs, HIDDEN, INTER, TOP_K);
            report("grouped_gemm", dtype, "T=" + tokens, t.gemmDefines(), us, 2.0 * pairs * INTER * HIDDEN,
                    dtype.bytesOf((long) EXPERTS * INTER * HIDDEN), err);
            double directUs = time(() -> moe.groupedGemm(x, TOP_K, w, out, counts, offsets, sorted, null, tokens,
                    TOP_K, EXPERTS, HIDDEN, INTER, plan.maxPerExpert()));
            report("grouped_gemm_direct", dtype, "T=" + tokens, t.gemmDefines(), directUs,
                    2.0 * pairs * INTER * HIDDEN, dtype.bytesOf((long) EXPERTS * INTER * HIDDEN), Double.NaN);
            release(workList);
        }
        release(w, x, selected, counts, offsets, sorted, out);
    }

    /** Barrier-free CPU tiles: m pairs x n columns per work-item. */
    private static MoeKernelTuning cpuGemm(int m, int n) {
        return new MoeKernelTuning(m, n, 4, 1, 1, 8, 8, 1, 64, true);
    }

    private static MoeKernelTuning gemm(int m, int n, int k, int rm, int rn) {
        return new MoeKernelTuning(m, n, k, rm, rn, 32, 8, 1, 64, false);
    }

    // ---------------------------------------------------------------- routing

    private void benchRouteAndDispatch() {
        OpenClMoeKernels moe = new OpenClMoeKernels(cl.launcher());
        for (int tokens : new int[] {1, 512, 2048}) {
            DeviceBuffer logits = activations("logits", (long) tokens * EXPERTS, 9);
            DeviceBuffer ids = alloc("ids", DType.I32, (long) tokens * TOP_K);
            DeviceBuffer weights = alloc("weights", DType.F32, (long) tokens * TOP_K);
            double us = time(() -> moe.routeTopk(logits, ids, weights, tokens, EXPERTS, TOP_K, true));
            report("route_topk", DType.F32, "T=" + tokens, "", us, 0, 4L * tokens * EXPERTS, Double.NaN);
            int pairs = tokens * TOP_K;
            int maxTiles = DispatchPlan.maxTiles(pairs, EXPERTS, moe.groupedGemmTileRows());
            DeviceBuffer counts = alloc("counts", DType.I32, EXPERTS);
            DeviceBuffer offsets = alloc("offsets", DType.I32, EXPERTS + 1);
            DeviceBuffer sorted = alloc("sortedPairs", DType.I32, pairs);
            DeviceBuffer workList = alloc("workList", DType.I32, 2L * maxTiles + 1);
            double dus = time(() -> moe.buildDispatch(ids, counts, offsets, sorted, workList, tokens, EXPERTS, TOP_K,
                    moe.groupedGemmTileRows()));
            report("build_dispatch", DType.I32, "T=" + tokens, moe.tuning().dispatchDefines(), dus, 0, 4L * pairs,
                    Double.NaN);
            release(logits, ids, weights, counts, offsets, sorted, workList);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Median device time in microseconds of single-launch timing windows, after warm-up. */
    private double time(Runnable op) {
        for (int i = 0; i < 3; i++) {
            op.run();
        }
        cl.finish();
        int n = 15;
        DeviceInterval[] windows = new DeviceInterval[n];
        for (int i = 0; i < n; i++) {
            cl.beginTiming();
            op.run();
            windows[i] = cl.endTiming();
        }
        double[] us = new double[n];
        for (int i = 0; i < n; i++) {
            us[i] = (windows[i].endNanos() - windows[i].startNanos()) / 1e3;
        }
        Arrays.sort(us);
        return us[n / 2];
    }

    /** Largest relative error of 16 sampled pairs x 24 rows of out [pairs, outDim] against host dot products. */
    private double gemvError(DeviceBuffer x, DeviceBuffer w, int[] ids, DeviceBuffer out, int pairs, int inDim,
                             int outDim, int xRowDivisor) {
        Random r = new Random(1);
        double worst = 0;
        float[] xs = cl.readFloats(x, 0, pairs / xRowDivisor * inDim);
        for (int sample = 0; sample < 16; sample++) {
            int p = r.nextInt(pairs);
            for (int j = 0; j < 24; j++) {
                int row = r.nextInt(outDim);
                long base = ((long) ids[p] * outDim + row) * inDim;
                float[] wr = cl.readFloats(w, base, inDim);
                double ref = 0;
                double mag = 0;
                for (int i = 0; i < inDim; i++) {
                    ref += (double) wr[i] * xs[(p / xRowDivisor) * inDim + i];
                    mag += Math.abs((double) wr[i] * xs[(p / xRowDivisor) * inDim + i]);
                }
                float got = cl.readFloats(out, (long) p * outDim + row, 1)[0];
                worst = Math.max(worst, Math.abs(got - ref) / (mag + 1e-30));
            }
        }
        return worst;
    }

    private void report(String op, DType dtype, String shape, String tuning, double us, double flops, long bytes,
                        double err) {
        System.out.printf(Locale.ROOT, "%-20s %-4s %-7s %9.1f us %8.1f GFLOP/s %8.1f GB/s  err %.1e  %s%n",
                op, dtype, shape, us, flops / us / 1e3, bytes / us / 1e3, err, tuning);
    }

    /** Weight types from -Dmoescope.bench.dtypes=BF16,Q8_0,Q4_K, else F16, BF16, F32. */
    private static List<DType> dtypes() {
        String list = System.getProperty("moescope.bench.dtypes", "F16,BF16,F32");
        return Arrays.stream(list.split(",")).map(DType::parse).toList();
    }

    /** tokens x top-8 distinct experts, uniformly random. */
    private static int[] routedIds(int tokens, long seed) {
        Random r = new Random(seed);
        int[] ids = new int[tokens * TOP_K];
        for (int t = 0; t < tokens; t++) {
            int[] pick = r.ints(0, EXPERTS).distinct().limit(TOP_K).toArray();
            System.arraycopy(pick, 0, ids, t * TOP_K, TOP_K);
        }
        return ids;
    }

    private static int distinct(int[] ids) {
        return (int) Arrays.stream(ids).distinct().count();
    }

    private DeviceBuffer weights(String name, DType dtype, long n, long seed) {
        DeviceBuffer b = alloc(name, dtype, n);
        cl.fillRandom(b, seed, 0.05f);
        return b;
    }

    private DeviceBuffer activations(String name, long n, long seed) {
        DeviceBuffer b = alloc(name, DType.F32, n);
        cl.fillRandom(b, seed, 1f);
        return b;
    }

    private DeviceBuffer ints(String name, int[] values) {
        DeviceBuffer b = alloc(name, DType.I32, values.length);
        cl.write(b, values);
        return b;
    }

    private DeviceBuffer alloc(String name, DType dtype, long n) {
        DeviceBuffer b = cl.allocate(name, dtype, n);
        buffers.add(b);
        return b;
    }

    private void release(DeviceBuffer... bs) {
        for (DeviceBuffer b : bs) {
            b.close();
            buffers.remove(b);
        }
    }
}
